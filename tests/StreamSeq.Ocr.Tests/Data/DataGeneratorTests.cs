using OpenCvSharp;
using StreamSeq.Ocr.Data;
using StreamSeq.Ocr.Tests.Support;

namespace StreamSeq.Ocr.Tests.Data;

public sealed class DataGeneratorTests : IDisposable
{
    private readonly string _folder = OcrTestSupport.TempFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static double InkFraction(Mat image)
    {
        image.GetArray(out byte[] pixels);
        return pixels.Count(p => p < 128) / (double)pixels.Length;
    }

    [Fact]
    public void Handwritten_lines_hold_3_to_8_digits_and_their_width_grows_with_the_label()
    {
        var digits = OcrTestSupport.FakeMnist(Path.Combine(_folder, "mnist"));
        var random = new Random(3);
        var lengths = new HashSet<int>();
        for (var i = 0; i < 60; i++)
        {
            var (image, text) = HandwrittenLines.Draw(random, digits, test: false);
            using (image)
            {
                Assert.InRange(text.Length, 3, 8);
                Assert.True(text.All(char.IsAsciiDigit), text);
                Assert.Equal(HandwrittenLines.Height, image.Height);
                Assert.Equal(MatType.CV_8UC1, image.Type());
                // Each digit is 16 px of ink here; touching and overlapping can take back at most 4 px per gap.
                Assert.InRange(image.Width, text.Length * 12, (text.Length * 32) + 60);
                lengths.Add(text.Length);
            }
        }
        Assert.Equal(6, lengths.Count);
    }

    [Fact]
    public void Test_lines_use_only_held_out_digit_images()
    {
        var digits = OcrTestSupport.FakeMnist(Path.Combine(_folder, "mnist"));
        var random = new Random(5);
        for (var i = 0; i < 20; i++)
        {
            var (train, _) = HandwrittenLines.Draw(random, digits, test: false);
            var (test, _) = HandwrittenLines.Draw(random, digits, test: true);
            using (train)
            using (test)
            {
                // Training images are solid blocks, held-out ones a thin bar.
                Assert.True(InkFraction(train) > 0.25, $"train line ink {InkFraction(train):0.00}");
                Assert.True(InkFraction(test) < 0.12, $"test line ink {InkFraction(test):0.00}");
            }
        }
    }

    [Fact]
    public void Printed_lines_render_their_text_in_installed_fonts_at_a_width_that_follows_its_length()
    {
        using var printed = new PrintedLines();
        Assert.NotEmpty(printed.Fonts);
        var random = new Random(7);
        for (var i = 0; i < 30; i++)
        {
            var text = PrintedLines.RandomText(random);
            Assert.True(OcrAlphabet.Default.Covers(text), text);
            Assert.InRange(text.Length, 1, 24);
            using var image = printed.Render(random, text);
            var (line, reason) = LineImage.Prepare(image, 32);
            Assert.True(line is not null, reason);
            // Ink spans the text: at 32 px height a character is 4..40 px wide (narrow 'i' to wide 'W' plus spacing).
            var inkWidth = line!.Width;
            Assert.InRange(inkWidth, text.Length * 4, (text.Length * 40) + 40);
        }
    }

    [Fact]
    public void The_writer_makes_lists_whose_images_exist_and_whose_labels_fit_the_alphabet()
    {
        var digits = OcrTestSupport.FakeMnist(Path.Combine(_folder, "mnist"));
        using var printed = new PrintedLines();
        var root = Path.Combine(_folder, "set");
        OcrDataWriter.Write(root, digits, printed, trainDigits: 6, trainPrinted: 4, testDigits: 3, testPrinted: 2, seed: 1);
        var train = LineList.Read(Path.Combine(root, OcrDataWriter.TrainList), OcrAlphabet.Default);
        Assert.Equal(10, train.Count);
        Assert.Equal(3, LineList.Read(Path.Combine(root, OcrDataWriter.TestDigitsList), OcrAlphabet.Default).Count);
        Assert.Equal(2, LineList.Read(Path.Combine(root, OcrDataWriter.TestPrintedList), OcrAlphabet.Default).Count);
        Assert.Contains(train, s => s.Image.Contains("printed", StringComparison.Ordinal));
        // Same seed, same lists.
        var again = Path.Combine(_folder, "again");
        OcrDataWriter.Write(again, digits, printed, 6, 4, 3, 2, seed: 1);
        Assert.Equal(File.ReadAllText(Path.Combine(root, OcrDataWriter.TrainList)), File.ReadAllText(Path.Combine(again, OcrDataWriter.TrainList)));
    }
}
