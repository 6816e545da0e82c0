using OpenCvSharp;
using StreamSeq.Ocr.Data;
using StreamSeq.Ocr.Tests.Support;

namespace StreamSeq.Ocr.Tests.Data;

public sealed class BadInputTests
{
    [Fact]
    public void Characters_outside_the_alphabet_are_a_clear_error_naming_the_character_and_the_line()
    {
        var alphabet = new OcrAlphabet("0123456789");
        var error = Assert.Throws<InvalidDataException>(() => alphabet.Encode("12a4", "list.tsv:7"));
        Assert.Contains("list.tsv:7", error.Message);
        Assert.Contains("'a'", error.Message);
        Assert.Contains("position 3", error.Message);

        var folder = OcrTestSupport.TempFolder();
        try
        {
            using (var image = new Mat(32, 64, MatType.CV_8UC1, Scalar.White))
            {
                Cv2.ImWrite(Path.Combine(folder, "a.png"), image);
            }
            var list = Path.Combine(folder, "lines.tsv");
            File.WriteAllLines(list, ["a.png\t123", "a.png\t12€"]);
            var listError = Assert.Throws<InvalidDataException>(() => LineList.Read(list, alphabet));
            Assert.Contains("lines.tsv:2", listError.Message);
            Assert.Contains("'€'", listError.Message);
            File.WriteAllLines(list, ["missing.png\t1"]);
            Assert.Contains("does not exist", Assert.Throws<InvalidDataException>(() => LineList.Read(list, alphabet)).Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void An_image_whose_header_declares_more_than_the_limits_is_refused_before_decoding()
    {
        var folder = OcrTestSupport.TempFolder();
        try
        {
            // Only a PNG signature and IHDR: decoding would fail, so the message shows the header was used.
            var path = Path.Combine(folder, "huge.png");
            var header = new byte[33];
            new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R' }.CopyTo(header, 0);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(16), 30000);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(20), 30000);
            header[24] = 8;
            File.WriteAllBytes(path, header);

            var loaded = LineImage.Load(path, 32);

            Assert.Null(loaded.Image);
            Assert.True(loaded.Refused);
            Assert.Contains("30000x30000 is larger than the limit", loaded.NoReading);

            using (var blank = new Mat(40, 200, MatType.CV_8UC1, new Scalar(230)))
            {
                Cv2.ImWrite(Path.Combine(folder, "blank.png"), blank);
            }
            var nothing = LineImage.Load(Path.Combine(folder, "blank.png"), 32);
            Assert.False(nothing.Refused);
            Assert.StartsWith("blank image", nothing.NoReading);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void An_empty_or_blank_image_is_no_reading_with_a_reason()
    {
        using var empty = new Mat();
        var (none, reason) = LineImage.Prepare(empty, 32);
        Assert.Null(none);
        Assert.Equal("empty image", reason);

        using var blank = new Mat(40, 200, MatType.CV_8UC1, new Scalar(230));
        (none, reason) = LineImage.Prepare(blank, 32);
        Assert.Null(none);
        Assert.StartsWith("blank image", reason);

        // Faint noise is still blank.
        using var noisy = new Mat(40, 200, MatType.CV_8UC1);
        Cv2.Randu(noisy, new Scalar(220), new Scalar(240));
        (none, reason) = LineImage.Prepare(noisy, 32);
        Assert.Null(none);
        Assert.StartsWith("blank image", reason);
    }

    [Fact]
    public void An_image_over_the_size_limit_is_no_reading_with_a_reason()
    {
        using var huge = new Mat(50, 5000, MatType.CV_8UC1, Scalar.White);
        var (line, reason) = LineImage.Prepare(huge, 32);
        Assert.Null(line);
        Assert.Contains("larger than the limit of 4096x1024", reason);
        (line, reason) = LineImage.Prepare(huge, 32, new LineImageLimits(MaxWidth: 8000));
        Assert.Null(line);
        Assert.StartsWith("blank image", reason);
    }

    [Fact]
    public void Text_is_cropped_to_its_ink_and_scaled_to_the_height_in_either_polarity()
    {
        using var dark = new Mat(100, 300, MatType.CV_8UC1, Scalar.White);
        Cv2.Rectangle(dark, new Rect(100, 40, 80, 20), Scalar.Black, -1);
        var (line, _) = LineImage.Prepare(dark, 32);
        Assert.NotNull(line);
        Assert.Equal(32, line!.Height);
        // 20 px of ink plus a 3 px margin on each side = 26 rows scaled to 32.
        Assert.Equal(26, line.SourceHeight);
        Assert.Equal(37, line.Top);
        Assert.Equal(97, line.Left);
        Assert.Equal(1f, line.Pixels.Max());

        using var light = new Mat();
        Cv2.BitwiseNot(dark, light);
        var (inverted, _) = LineImage.Prepare(light, 32);
        Assert.Equal(line.Pixels, inverted!.Pixels);
    }
}
