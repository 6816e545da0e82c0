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
}
