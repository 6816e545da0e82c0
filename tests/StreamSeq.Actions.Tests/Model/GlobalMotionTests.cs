using StreamSeq.Actions.Data;
using StreamSeq.Actions.Model;

namespace StreamSeq.Actions.Tests.Model;

public sealed class GlobalMotionTests
{
    private const int Side = ClipFeatures.Side;

    [Fact]
    public void The_fit_recovers_the_camera_motion_under_a_quarter_of_pixels_moving_on_their_own()
    {
        // Camera: translation (0.3, −0.2) plus a turn (curl) and an expansion; a 16×16 block (25 % of the grid)
        // moves at (−1.5, 0.8) on its own, as a person walking past would.
        var p = new[] { 0.3, 0.05, -0.12, -0.2, 0.12, 0.05 };
        var field = Field(p, (x, y) => x >= 4 && x < 20 && y >= 10 && y < 26 ? (-1.5f, 0.8f) : null);

        var fit = GlobalMotion.Fit(field, Side);

        for (var i = 0; i < 6; i++)
        {
            // float32 planes; Tukey's weights are exactly 0 on the block, so the fit is the affine one to rounding.
            Assert.Equal(p[i], fit[i], 4);
        }
        // Plain least squares (the flow rule's mean) is pulled off by the block.
        var clip = new ClipTensors(2, new float[2 * ClipFeatures.PlaneSize], field, 0, 0.03);
        Assert.True(Math.Abs(FlowRule.Measure(clip).Tx - p[0]) > 0.2);
    }

    [Fact]
    public void Planes_hold_the_fitted_field_in_the_temporal_layout()
    {
        var p = new[] { -0.4, 0.0, 0.1, 0.25, -0.1, 0.0 };
        var first = Field(p, (_, _) => null);
        var second = Field([0, 0, 0, 0, 0, 0], (x, _) => x < 3 ? (2f, 2f) : null);

        var planes = GlobalMotion.Planes([.. first, .. second], 2, Side);

        Assert.Equal(4 * ClipFeatures.PlaneSize, planes.Length);
        Assert.All(Enumerable.Range(0, 2 * ClipFeatures.PlaneSize), i => Assert.Equal(first[i], planes[i], 4));
        Assert.All(planes.Skip(2 * ClipFeatures.PlaneSize), v => Assert.Equal(0, v, 4));
    }

    [Fact]
    public void The_rule_reads_each_motion_by_sign_and_still_below_its_threshold()
    {
        var classes = ActionClasses.Motions;
        (string Name, double[] P)[] cases =
        [
            ("right", [0.5, 0, 0, 0, 0, 0]), ("left", [-0.5, 0, 0, 0, 0, 0]),
            ("down", [0, 0, 0, 0.5, 0, 0]), ("up", [0, 0, 0, -0.5, 0, 0]),
            // Clockwise on screen (y down): a point right of centre moves down (dv/dx > 0), one below moves left.
            ("rotate-cw", [0, 0, -0.3, 0, 0.3, 0]), ("rotate-ccw", [0, 0, 0.3, 0, -0.3, 0]),
            ("zoom-in", [0, 0.3, 0, 0, 0, 0.3]), ("zoom-out", [0, -0.3, 0, 0, 0, -0.3]),
            ("still", [0.03, 0, 0, -0.02, 0, 0]),
        ];
        foreach (var (name, p) in cases)
        {
            var field = Field(p, (_, _) => null);
            var clip = new ClipTensors(2, new float[2 * ClipFeatures.PlaneSize], field, 0, 0.03);
            Assert.Equal(name, classes[FlowRule.Classify(clip, classes)]);
        }
    }

    [Fact]
    public void Texture_weights_are_zero_on_flat_cells_and_saturate_on_texture_whatever_its_contrast()
    {
        // Left half flat, right half a sinusoidal texture of faint (0.3) and strong (3) amplitude.
        var image = new float[ClipFeatures.PlaneSize];
        for (var y = 0; y < Side; y++)
        {
            for (var x = Side / 2; x < Side; x++)
            {
                var amplitude = y < Side / 2 ? 0.3f : 3f;
                image[(y * Side) + x] = amplitude * MathF.Sin((1.1f * x) + (0.7f * y));
            }
        }

        var weights = GlobalMotion.TextureWeights(image, Side);

        Assert.Equal(0, weights[(5 * Side) + 3], 12);
        Assert.InRange(weights[(5 * Side) + 24], 0.8, 1.0);
        Assert.InRange(weights[(25 * Side) + 24], 0.99, 1.0);
        // Saturation: a ten times stronger texture weighs at most 25 % more.
        Assert.True(weights[(25 * Side) + 24] / weights[(5 * Side) + 24] < 1.25);
    }

    [Fact]
    public void Texture_weighting_lets_a_lone_object_over_a_flat_background_carry_the_fit()
    {
        // Moving-MNIST: the digit (an 8×8 textured block) moves right over a black background whose flow reads 0.
        // Unweighted, the 86 % of flat cells win and the fit says "still"; weighted by texture it follows the digit.
        var image = new float[ClipFeatures.PlaneSize];
        var field = new float[2 * ClipFeatures.PlaneSize];
        for (var y = 10; y < 22; y++)
        {
            for (var x = 10; x < 22; x++)
            {
                // Farneback's window spreads an object's flow about two cells beyond its edge.
                field[(y * Side) + x] = 0.6f;
                if (y >= 12 && y < 20 && x >= 12 && x < 20)
                {
                    image[(y * Side) + x] = 2f * MathF.Sin((1.1f * x) + (0.7f * y));
                }
            }
        }

        var plain = GlobalMotion.Fit(field, Side);
        var weighted = GlobalMotion.Fit(field, Side, GlobalMotion.TextureWeights(image, Side));

        Assert.Equal(0, plain[0], 6);
        Assert.InRange(weighted[0], 0.5, 0.7);
        var clip = new ClipTensors(2, [.. image, .. image], field, 0, 0.03);
        Assert.Equal("right", ActionClasses.Motions[CameraMotionRule.Classify(clip, ActionClasses.Motions)]);
    }

    [Fact]
    public void The_camera_motion_rule_calls_a_textured_static_scene_with_a_walker_still()
    {
        // A textured static scene (flow 0) with a person-sized block (20 % of the view) walking left at 1.5.
        var image = new float[ClipFeatures.PlaneSize];
        var field = new float[2 * ClipFeatures.PlaneSize];
        var random = new Random(3);
        for (var i = 0; i < image.Length; i++)
        {
            image[i] = (float)(random.NextDouble() - 0.5);
        }
        for (var y = 6; y < 30; y++)
        {
            for (var x = 10; x < 18; x++)
            {
                image[(y * Side) + x] *= 4;
                field[(y * Side) + x] = -1.5f;
            }
        }
        var clip = new ClipTensors(2, [.. image, .. image], field, 0, 0.03);

        Assert.Equal("still", ActionClasses.Motions[CameraMotionRule.Classify(clip, ActionClasses.Motions)]);
        Assert.Equal("left", ActionClasses.Motions[FlowRule.Classify(clip, ActionClasses.Motions)]);
    }

    [Fact]
    public void A_field_without_texture_is_fitted_unweighted()
    {
        var p = new[] { 0.4, 0, 0, -0.1, 0, 0 };
        var field = Field(p, (_, _) => null);

        var fit = GlobalMotion.Fit(field, Side, GlobalMotion.TextureWeights(new float[ClipFeatures.PlaneSize], Side));

        Assert.Equal(0.4, fit[0], 4);
        Assert.Equal(-0.1, fit[3], 4);
    }

    /// <summary>An affine field (u = a0 + a1·x + a2·y, v = b0 + b1·x + b2·y over [−1, 1]²) with some cells overridden.</summary>
    private static float[] Field(double[] p, Func<int, int, (float U, float V)?> overrideAt)
    {
        var plane = ClipFeatures.PlaneSize;
        var field = new float[2 * plane];
        var coordinates = GlobalMotion.Coordinates(Side);
        for (var y = 0; y < Side; y++)
        {
            for (var x = 0; x < Side; x++)
            {
                var i = (y * Side) + x;
                var (cx, cy) = coordinates[i];
                var own = overrideAt(x, y);
                field[i] = own?.U ?? (float)(p[0] + (p[1] * cx) + (p[2] * cy));
                field[plane + i] = own?.V ?? (float)(p[3] + (p[4] * cx) + (p[5] * cy));
            }
        }
        return field;
    }
}
