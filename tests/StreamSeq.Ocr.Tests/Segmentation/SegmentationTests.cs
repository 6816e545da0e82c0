using OpenCvSharp;
using StreamSeq.Lattice;
using StreamSeq.Learning;
using StreamSeq.Ocr.Data;
using StreamSeq.Ocr.Segmentation;

namespace StreamSeq.Ocr.Tests.Segmentation;

public sealed class SegmentationTests
{
    private static OcrAlphabet Digits { get; } = new("0123456789");

    /// <summary>An ink image with filled rectangles (x, y, w, h).</summary>
    private static (float[] Ink, int Width, int Height) Blobs(int width, int height, params (int X, int Y, int W, int H)[] boxes)
    {
        var ink = new float[width * height];
        foreach (var (x, y, w, h) in boxes)
        {
            for (var r = y; r < y + h; r++)
            {
                for (var c = x; c < x + w; c++)
                {
                    ink[(r * width) + c] = 1f;
                }
            }
        }
        return (ink, width, height);
    }

    [Fact]
    public void Cuts_fall_in_gaps_and_at_the_thin_joint_of_touching_characters()
    {
        // Two separate blobs, then two blobs joined by a thin bridge at columns 50..53.
        var (ink, w, h) = Blobs(80, 32, (2, 4, 12, 24), (20, 4, 14, 24), (40, 4, 10, 24), (50, 14, 4, 2), (54, 4, 12, 24));
        var cuts = OverSegmenter.Cuts(ink, w, h);
        Assert.Equal(2, cuts[0]);
        Assert.Equal(66, cuts[^1]);
        Assert.Contains(cuts, c => c is >= 14 and <= 20);
        Assert.Contains(cuts, c => c is >= 34 and <= 40);
        Assert.Contains(cuts, c => c is >= 50 and <= 54);
        Assert.Equal(cuts.Order(), cuts);
    }

    [Fact]
    public void Segments_join_up_to_four_slices_and_normalise_mnist_style()
    {
        var segments = SegmentModel.Segments([0, 10, 20, 30, 40, 50, 60], 32);
        Assert.All(segments, s => Assert.InRange(s.ToCut - s.FromCut, 1, SegmentModel.MaxSlices));
        Assert.Contains(segments, s => s.FromCut == 0 && s.ToCut == 4);
        Assert.DoesNotContain(segments, s => s.FromCut == 0 && s.ToCut == 5);

        var (ink, w, h) = Blobs(60, 32, (10, 2, 6, 28));
        var field = OverSegmenter.Normalise(ink, w, h, 0, 60)!;
        Assert.Equal(784, field.Length);
        // A 6×28 bar becomes ~4×20 in the middle of 28×28.
        var rows = Enumerable.Range(0, 28).Where(r => Enumerable.Range(0, 28).Any(c => field[(r * 28) + c] > 0.5f)).ToList();
        Assert.InRange(rows.Count, 19, 21);
        Assert.InRange(rows.Average(), 12.5, 14.5);
        Assert.Null(OverSegmenter.Normalise(ink, w, h, 30, 60));
    }

    [Fact]
    public void The_lattice_reads_the_best_segmentation_and_labelling_with_boxes_from_the_scores()
    {
        TorchRuntime.Configure(1, 1);
        using var model = SegmentModel.Create(Digits);
        int[] cuts = [0, 10, 20, 30];
        var inked = SegmentModel.Segments(cuts, 32).Select(s => (s, new float[784])).ToList();
        var classes = 11;
        var scores = new float[inked.Count * classes];
        Array.Fill(scores, -8f);
        // Best: "7" over slices 0..2 then "1" over slice 2..3; a "4" over each single slice scores less in total.
        void Set(int from, int to, int digit, float value) => scores[(inked.FindIndex(i => i.s.FromCut == from && i.s.ToCut == to) * classes) + digit] = value;
        Set(0, 2, 7, -0.2f);
        Set(2, 3, 1, -0.1f);
        Set(0, 1, 4, -0.5f);
        Set(1, 2, 4, -0.5f);
        var lattice = model.Lattice(cuts, inked, [], scores);
        Assert.Equal(inked.Count * 10, lattice.Graph.ArcCount);
        var best = GraphOps.Viterbi(lattice.Graph);
        Assert.Equal([8, 2], best.Path.Input);
        Assert.Equal(-0.3, best.Score, 5);
        // With the answer "441" the correct graph keeps that segmentation only.
        var correct = GraphOps.Intersect(lattice.Graph, SegmentModel.Answer([5, 5, 2]));
        Assert.Equal(-1.1, GraphOps.Viterbi(correct).Score, 5);
        var loss = SequenceLoss.Forward(lattice.Graph, correct, lattice.Graph);
        Assert.True(loss.Loss > 0);
        Assert.Equal(lattice.Graph.ArcCount, loss.Gradient.Length);
    }

    [Fact]
    public void Sequence_training_through_the_lattice_lowers_the_loss_of_the_lines_it_sees()
    {
        TorchRuntime.Configure(2, 1);
        using var model = SegmentModel.Create(Digits);
        using var printed = new PrintedLines(["/usr/share/fonts/truetype/dejavu"]);
        var random = new Random(3);
        var lines = new List<(LineImage, int[])>();
        for (var i = 0; i < 4; i++)
        {
            var text = string.Concat(Enumerable.Range(0, 3).Select(_ => (char)('0' + random.Next(10))));
            // Spaced digits, so the gaps give the cuts.
            using var image = printed.Render(random, string.Join("  ", text.ToCharArray()));
            var (line, reason) = LineImage.Prepare(image, SegmentModel.LineHeight);
            Assert.True(line is not null, reason);
            lines.Add((line!, Digits.Encode(text)));
        }
        var log = SequenceTrainer.Train(model, lines, epochs: 12, linesPerStep: 4, learningRate: 3e-3, seed: 1);
        Assert.Equal(0, log.Skipped);
        Assert.True(log.EpochLoss[^1] < log.EpochLoss[0] * 0.5, string.Join(", ", log.EpochLoss));
    }

    [Fact]
    public void A_blank_line_and_a_grammar_nothing_fits_are_no_reading_with_reasons()
    {
        TorchRuntime.Configure(1, 1);
        using var model = SegmentModel.Create(Digits);
        using var blank = new Mat(40, 100, MatType.CV_8UC1, new Scalar(255));
        var reading = model.Read(blank);
        Assert.False(reading.HasReading);
        Assert.StartsWith("blank image", reading.NoReading);

        using var bar = new Mat(40, 100, MatType.CV_8UC1, new Scalar(255));
        Cv2.Rectangle(bar, new Rect(40, 5, 8, 30), Scalar.Black, -1);
        var none = new Graph();
        none.AddState(start: true);
        var refused = model.Read(bar, none);
        Assert.False(refused.HasReading);
        Assert.Contains("grammar", refused.NoReading);
    }
}
