using OpenCvSharp;
using StreamSeq.Ocr.Model;
using StreamSeq.Ocr.Tests.Support;

namespace StreamSeq.Ocr.Tests.Model;

public sealed class MetricsTests
{
    [Theory]
    [InlineData("", "", 0)]
    [InlineData("abc", "abc", 0)]
    [InlineData("abc", "", 3)]
    [InlineData("", "ab", 2)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("12345", "1245", 1)]
    public void Edit_distance_counts_insertions_deletions_and_substitutions(string a, string b, int expected)
    {
        Assert.Equal(expected, OcrMetrics.EditDistance(a, b));
        Assert.Equal(expected, OcrMetrics.EditDistance(b, a));
    }

    [Fact]
    public void Cer_is_edits_over_reference_characters_and_no_reading_deletes_the_line()
    {
        var metrics = OcrMetrics.Score(["1234", "567", "89"], ["1234", "507", null], seconds: 2);
        Assert.Equal(3, metrics.Lines);
        Assert.Equal(Math.Round(3 / 9.0, 4), metrics.Cer);
        Assert.Equal(Math.Round(2 / 3.0, 4), metrics.LineError);
        Assert.Equal(1, metrics.NoReading);
        Assert.Equal(1.5, metrics.LinesPerSecond);
    }

    [Fact]
    public void Tesseract_reads_a_clean_printed_line_and_honours_a_whitelist()
    {
        Assert.NotNull(Tesseract.Version());
        var folder = OcrTestSupport.TempFolder();
        try
        {
            using var image = new Mat(60, 400, MatType.CV_8UC1, Scalar.White);
            Cv2.PutText(image, "hello 123", new Point(10, 42), HersheyFonts.HersheySimplex, 1.2, Scalar.Black, 2);
            var path = Path.Combine(folder, "line.png");
            Cv2.ImWrite(path, image);
            var texts = Tesseract.Read([path, path], null, folder);
            Assert.Equal(2, texts.Count);
            Assert.Contains("hello", texts[0]);
            var digits = Tesseract.Read([path], "0123456789", folder);
            Assert.DoesNotContain("h", digits[0]);
            Assert.Contains("123", digits[0]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
