using StreamSeq.Learning.Data;
using StreamSeq.Ocr.Data;

namespace StreamSeq.Ocr.Tests.Data;

public sealed class DigitDistortionTests
{
    /// <summary>A 28×28 "7": a top bar and a slanted stroke.</summary>
    private static float[] Seven()
    {
        var pixels = new float[MnistDigits.Pixels];
        for (var c = 6; c < 22; c++)
        {
            pixels[(6 * MnistDigits.Side) + c] = 1;
            pixels[(7 * MnistDigits.Side) + c] = 1;
        }
        for (var r = 8; r < 23; r++)
        {
            var c = 21 - ((r - 8) / 2);
            pixels[(r * MnistDigits.Side) + c] = 1;
            pixels[(r * MnistDigits.Side) + c - 1] = 1;
        }
        return pixels;
    }

    [Fact]
    public void A_distorted_digit_moves_its_ink_but_keeps_about_as_much_in_range_and_the_input_intact()
    {
        var seven = Seven();
        var original = (float[])seven.Clone();
        var distortion = DigitDistortion.Default with { StrokeChange = 0 };
        var random = new Random(1);
        for (var trial = 0; trial < 20; trial++)
        {
            var distorted = distortion.Apply(seven, random);
            Assert.Equal(MnistDigits.Pixels, distorted.Length);
            Assert.All(distorted, v => Assert.InRange(v, 0f, 1f));
            var moved = seven.Zip(distorted).Sum(p => Math.Abs(p.First - p.Second));
            Assert.True(moved > 3, $"trial {trial}: only {moved:0.0} of ink changed");
            // Warps rescale by at most 15 % each way: the ink stays within a broad band of the original's.
            Assert.InRange(distorted.Sum(), seven.Sum() * 0.5, seven.Sum() * 1.6);
        }
        Assert.Equal(original, seven);
    }

    [Fact]
    public void The_same_random_state_gives_the_same_distortion_and_none_leaves_the_digit_as_is()
    {
        var seven = Seven();
        Assert.Equal(DigitDistortion.Default.Apply(seven, new Random(7)), DigitDistortion.Default.Apply(seven, new Random(7)));
        Assert.NotEqual(DigitDistortion.Default.Apply(seven, new Random(7)), DigitDistortion.Default.Apply(seven, new Random(8)));
        var identity = new DigitDistortion(MaxRotationDegrees: 0, MaxShear: 0, MaxScaleChange: 0, ElasticAlpha: 0, StrokeChange: 0);
        var same = identity.Apply(seven, new Random(3));
        Assert.All(seven.Zip(same), p => Assert.Equal(p.First, p.Second, 1e-5f));
    }

    [Fact]
    public void Thicker_strokes_hold_more_ink_and_thinner_less()
    {
        var seven = Seven();
        var still = new DigitDistortion(MaxRotationDegrees: 0, MaxShear: 0, MaxScaleChange: 0, ElasticAlpha: 0, StrokeChange: 1);
        // With StrokeChange 1, a draw below 0.5 dilates and one above erodes; find one of each.
        var sums = Enumerable.Range(0, 20).Select(s => still.Apply(seven, new Random(s)).Sum()).ToList();
        Assert.Contains(sums, s => s > seven.Sum() * 1.3);
        Assert.Contains(sums, s => s < seven.Sum() * 0.8);
    }

    [Fact]
    public void Only_a_28_by_28_digit_is_accepted()
    {
        Assert.Throws<ArgumentException>(() => DigitDistortion.Default.Apply(new float[10], new Random(1)));
    }
}
