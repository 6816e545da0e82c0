using StreamSeq.Ocr.Data;

namespace StreamSeq.Ocr.Tests.Data;

public sealed class LineImageTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(1000)]
    [InlineData(18_001)]
    public void The_paper_level_is_the_median_a_sort_would_give(int count)
    {
        var random = new Random(count);
        for (var trial = 0; trial < 20; trial++)
        {
            var levels = new byte[count];
            // Mostly paper with some ink, like a line image, and sometimes uniform noise.
            for (var i = 0; i < count; i++)
            {
                levels[i] = trial % 2 == 0 ? (byte)random.Next(256) : random.NextDouble() < 0.8 ? (byte)random.Next(220, 240) : (byte)random.Next(0, 90);
            }
            var sorted = levels.Order().ToArray();
            Assert.Equal(sorted[count / 2], LineImage.Median(levels));
        }
    }

    [Fact]
    public void A_wider_side_margin_keeps_more_paper_left_and_right_but_not_above_or_below()
    {
        // A dark bar 20 px high on light paper, far from every edge.
        using var image = new OpenCvSharp.Mat(100, 300, OpenCvSharp.MatType.CV_8UC1, new OpenCvSharp.Scalar(230));
        image[new OpenCvSharp.Rect(100, 40, 80, 20)].SetTo(new OpenCvSharp.Scalar(20));
        var (standard, _) = LineImage.Prepare(image, 32);
        var (wide, _) = LineImage.Prepare(image, 32, sideMargin: 0.5);
        Assert.NotNull(standard);
        Assert.NotNull(wide);
        // Above and below: 1/6 of the ink's height either way (3 px), so the source rows and scale are the same.
        Assert.Equal(standard.Top, wide.Top);
        Assert.Equal(40 - 3, standard.Top);
        Assert.Equal(standard.SourceHeight, wide.SourceHeight);
        // Left and right: 3 px against 10 px.
        Assert.Equal(100 - 3, standard.Left);
        Assert.Equal(100 - 10, wide.Left);
        Assert.Equal(Math.Round((80 + 20) * 32 / 26.0), wide.Width, 1.0);
        Assert.Throws<ArgumentOutOfRangeException>(() => LineImage.Prepare(image, 32, sideMargin: -0.1));
    }
}
