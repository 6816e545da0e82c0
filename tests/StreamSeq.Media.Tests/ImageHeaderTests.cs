using System.Buffers.Binary;
using OpenCvSharp;
using StreamSeq.Media;

namespace StreamSeq.Media.Tests;

public sealed class ImageHeaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("streamseq-header-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("png")]
    [InlineData("jpg")]
    [InlineData("bmp")]
    [InlineData("tif")]
    [InlineData("webp")]
    [InlineData("pgm")]
    [InlineData("ppm")]
    public void The_declared_size_of_an_image_OpenCV_wrote_is_read_without_decoding(string extension)
    {
        var path = Path.Combine(_dir, "image." + extension);
        using (var image = new Mat(37, 123, extension == "pgm" ? MatType.CV_8UC1 : MatType.CV_8UC3, Scalar.All(90)))
        {
            Assert.True(Cv2.ImWrite(path, image), $"OpenCV could not write .{extension}");
        }

        Assert.Equal((123, 37), ImageHeader.TryRead(path));
    }

    [Fact]
    public void A_progressive_jpeg_and_a_lossless_webp_are_read_too()
    {
        using var image = new Mat(48, 301, MatType.CV_8UC3, Scalar.All(30));
        var progressive = Path.Combine(_dir, "p.jpg");
        Assert.True(Cv2.ImWrite(progressive, image, new ImageEncodingParam(ImwriteFlags.JpegProgressive, 1)));
        var lossless = Path.Combine(_dir, "l.webp");
        Assert.True(Cv2.ImWrite(lossless, image, new ImageEncodingParam(ImwriteFlags.WebPQuality, 101)));

        Assert.Equal((301, 48), ImageHeader.TryRead(progressive));
        Assert.Equal((301, 48), ImageHeader.TryRead(lossless));
    }

    [Fact]
    public void A_png_header_declaring_30000_by_30000_is_read_from_33_bytes()
    {
        var path = Path.Combine(_dir, "huge.png");
        File.WriteAllBytes(path, PngHeader(30000, 30000));

        Assert.Equal((30000, 30000), ImageHeader.TryRead(path));
    }

    [Fact]
    public void Unknown_or_truncated_files_give_null_so_the_caller_decodes_and_decides()
    {
        var text = Path.Combine(_dir, "a.txt");
        File.WriteAllText(text, "not an image at all");
        var truncated = Path.Combine(_dir, "t.png");
        File.WriteAllBytes(truncated, PngHeader(10, 10)[..20]);
        var empty = Path.Combine(_dir, "e.jpg");
        File.WriteAllBytes(empty, []);

        Assert.Null(ImageHeader.TryRead(text));
        Assert.Null(ImageHeader.TryRead(truncated));
        Assert.Null(ImageHeader.TryRead(empty));
    }

    /// <summary>A PNG signature and IHDR chunk (no image data): what a decoder would read first.</summary>
    internal static byte[] PngHeader(int width, int height)
    {
        var bytes = new byte[33];
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), 13);
        "IHDR"u8.CopyTo(bytes.AsSpan(12));
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), height);
        bytes[24] = 8;
        return bytes;
    }
}
