using StreamSeq.Actions.Data;
using StreamSeq.Actions.Model;
using StreamSeq.Actions.Tests.Support;
using StreamSeq.Media;
using StreamSeq.Media.Stages;

namespace StreamSeq.Actions.Tests.Data;

public sealed class MovingMnistTests
{
    private static (double Dx, double Dy, double Curl, double Divergence) MeanMotion(ClipSpec spec)
    {
        var mats = MovingMnist.Render(spec);
        var frames = mats.Select((m, i) => new VideoFrame(m, TimeSpan.FromSeconds(i / 30.0), i)).ToList();
        try
        {
            var clip = ClipTensors.FromFrames(frames, new OpticalFlowOptions());
            double dx = 0, dy = 0, curl = 0, divergence = 0;
            var side = ClipFeatures.Side;
            for (var f = 0; f < clip.Flows; f++)
            {
                var offset = f * 2 * ClipFeatures.PlaneSize;
                for (var y = 1; y < side - 1; y++)
                {
                    for (var x = 1; x < side - 1; x++)
                    {
                        float U(int yy, int xx) => clip.Temporal[offset + (yy * side) + xx];
                        float V(int yy, int xx) => clip.Temporal[offset + ClipFeatures.PlaneSize + (yy * side) + xx];
                        dx += U(y, x);
                        dy += V(y, x);
                        // On screen (y down) a clockwise turn moves the right side down: dV/dx - dU/dy > 0.
                        curl += (V(y, x + 1) - V(y, x - 1)) - (U(y + 1, x) - U(y - 1, x));
                        divergence += (U(y, x + 1) - U(y, x - 1)) + (V(y + 1, x) - V(y - 1, x));
                    }
                }
            }
            var cells = clip.Flows * (side - 2) * (side - 2);
            return (dx / cells, dy / cells, curl / cells, divergence / cells);
        }
        finally
        {
            frames.ForEach(f => f.Dispose());
        }
    }

    [Theory]
    [InlineData("right")]
    [InlineData("left")]
    [InlineData("up")]
    [InlineData("down")]
    [InlineData("rotate-cw")]
    [InlineData("rotate-ccw")]
    [InlineData("zoom-in")]
    [InlineData("zoom-out")]
    [InlineData("still")]
    public void Each_class_moves_as_its_name_says(string motion)
    {
        var label = ActionClasses.Motions.ToList().IndexOf(motion);
        var random = new Random(5);
        // Whole-frame averages over a few clips: single thin digits give noisy fields, their sum does not.
        var motions = Enumerable.Range(0, 4).Select(_ => MeanMotion(MovingMnist.Draw(random, ActionVariant.Motion, label, Digits.All, test: true))).ToList();
        var (dx, dy, curl, divergence) = (motions.Average(m => m.Dx), motions.Average(m => m.Dy), motions.Average(m => m.Curl), motions.Average(m => m.Divergence));
        var said = $"dx {dx:0.0000} dy {dy:0.0000} curl {curl:0.0000} divergence {divergence:0.0000}";
        switch (motion)
        {
            case "right": Assert.True(dx > 0.02 && dx > 3 * Math.Abs(dy), said); break;
            case "left": Assert.True(-dx > 0.02 && -dx > 3 * Math.Abs(dy), said); break;
            case "down": Assert.True(dy > 0.02 && dy > 3 * Math.Abs(dx), said); break;
            case "up": Assert.True(-dy > 0.02 && -dy > 3 * Math.Abs(dx), said); break;
            case "rotate-cw": Assert.True(curl > 0.0005, said); break;
            case "rotate-ccw": Assert.True(curl < -0.0005, said); break;
            case "zoom-in": Assert.True(divergence > 0.0005, said); break;
            case "zoom-out": Assert.True(divergence < -0.0005, said); break;
            default: Assert.True(Math.Abs(dx) + Math.Abs(dy) < 0.005 && Math.Abs(curl) + Math.Abs(divergence) < 0.001, said); break;
        }
    }

    [Fact]
    public void Clips_are_reproducible_and_the_identity_variant_labels_the_digit()
    {
        var first = MovingMnist.Draw(new Random(11), ActionVariant.Identity, 7, Digits.All, test: false);
        var again = MovingMnist.Draw(new Random(11), ActionVariant.Identity, 7, Digits.All, test: false);

        Assert.Same(first.Digit, again.Digit);
        Assert.Contains(first.Digit, Digits.All.Split(7, test: false));
        Assert.Empty(first.Distractors);
        var a = MovingMnist.Render(first);
        var b = MovingMnist.Render(again);
        try
        {
            Assert.Equal(MovingMnist.DefaultFrames, a.Length);
            Assert.All(Enumerable.Range(0, a.Length), i => Assert.Equal(0, OpenCvSharp.Cv2.Norm(a[i], b[i], OpenCvSharp.NormTypes.L1)));
        }
        finally
        {
            foreach (var m in a.Concat(b))
            {
                m.Dispose();
            }
        }
    }

    [Fact]
    public void Test_clips_never_show_a_training_digit_image()
    {
        var random = new Random(3);
        for (var i = 0; i < 50; i++)
        {
            var spec = MovingMnist.Draw(random, ActionVariant.Motion, i % 9, Digits.All, test: true);
            Assert.DoesNotContain(spec.Digit, Enumerable.Range(0, 10).SelectMany(d => Digits.All.Split(d, test: false)));
        }
    }

    [Fact]
    public void The_writer_makes_a_folder_per_class_set_that_the_loader_reads_back()
    {
        var root = Path.Combine(Path.GetTempPath(), "streamseq-actions-" + Guid.NewGuid().ToString("N"));
        try
        {
            ActionDataWriter.Write(root, ActionVariant.Motion, trainPerClass: 2, testPerClass: 1, seed: 4, Digits.All);

            var train = ActionDataset.Open(Path.Combine(root, "motion", "train"));
            Assert.Equal(ActionClasses.Motions.Order(StringComparer.Ordinal), train.Classes);
            Assert.Equal(18, train.Videos.Count);
            var clip = ActionDataset.LoadClip(train.Videos[0].Path, 16, 64, new OpticalFlowOptions());
            Assert.Equal(16, clip.Frames);
            Assert.Equal(15 * 2 * ClipFeatures.PlaneSize, clip.Temporal.Length);
            var error = Assert.Throws<InvalidDataException>(() => ActionDataset.Open(Path.Combine(root, "motion", "test"), ["left", "right"]));
            Assert.Contains("not classes of the model", error.Message);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
