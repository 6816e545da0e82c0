using OpenCvSharp;

namespace StreamSeq.Ocr.Data;

/// <summary>Limits on the images a recogniser accepts.</summary>
/// <param name="MaxWidth">Widest image accepted, in pixels.</param>
/// <param name="MaxHeight">Tallest image accepted, in pixels.</param>
/// <param name="MinContrast">Smallest spread (0..255) between ink and paper for the image to count as holding text.</param>
public sealed record LineImageLimits(int MaxWidth = 4096, int MaxHeight = 1024, double MinContrast = 40)
{
    /// <summary>The defaults.</summary>
    public static LineImageLimits Default { get; } = new();
}

/// <summary>
/// A line image prepared for a recogniser: ink as values in 0..1 (1 = ink) at a fixed height, cropped to the
/// rows and columns that hold ink (plus a margin), with the mapping back to the source image's pixels so
/// character boxes can be reported there.
/// </summary>
public sealed class LineImage
{
    private LineImage(float[] pixels, int width, int height, double scale, int left, int top)
    {
        Pixels = pixels;
        Width = width;
        Height = height;
        Scale = scale;
        Left = left;
        Top = top;
    }

    /// <summary>Row-major ink values, <see cref="Height"/>×<see cref="Width"/>.</summary>
    public float[] Pixels { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Prepared columns per source column.</summary>
    public double Scale { get; }

    /// <summary>Source column of prepared column 0.</summary>
    public int Left { get; }

    /// <summary>Source row of prepared row 0.</summary>
    public int Top { get; }

    /// <summary>Source-image rows covered by the prepared image.</summary>
    public int SourceHeight { get; private init; }

    /// <summary>The margin kept around the ink, as a fraction of the ink's height.</summary>
    public const double DefaultMargin = 1 / 6.0;

    /// <summary>
    /// Prepares an 8-bit gray or BGR image. Dark-on-light and light-on-dark text both work (the paper is the
    /// median level). Returns null and a reason for an empty, blank or too-large image.
    /// </summary>
    /// <param name="source">The image.</param>
    /// <param name="height">Height of the prepared image.</param>
    /// <param name="limits">Largest image accepted and the contrast that counts as ink.</param>
    /// <param name="stretch">Horizontal stretch after scaling to <paramref name="height"/>.</param>
    /// <param name="sideMargin">Margin kept left and right of the ink, as a fraction of the ink's height. Faint marks
    /// at a line's ends (a blurred full stop) fall below the ink threshold that finds the crop, so a wider side
    /// margin keeps them whole.</param>
    public static (LineImage? Image, string? NoReading) Prepare(Mat source, int height, LineImageLimits? limits = null, double stretch = 1.0, double sideMargin = DefaultMargin)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sideMargin);
        limits ??= LineImageLimits.Default;
        if (source.Empty() || source.Width == 0 || source.Height == 0)
        {
            return (null, "empty image");
        }
        if (source.Width > limits.MaxWidth || source.Height > limits.MaxHeight)
        {
            return (null, TooLarge(source.Width, source.Height, limits));
        }
        using var gray = Media.FrameConversions.ToGray(source);
        gray.GetArray(out byte[] bytes);
        var paper = Median(bytes);
        var darkInk = paper >= 128;
        // Ink strength per pixel, 0 at the paper level.
        var ink = new float[bytes.Length];
        float strongest = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            var v = darkInk ? paper - bytes[i] : bytes[i] - paper;
            ink[i] = Math.Max(0, v);
            strongest = Math.Max(strongest, ink[i]);
        }
        if (strongest < limits.MinContrast)
        {
            return (null, $"blank image: no ink (the strongest mark differs from the paper by {strongest:0} of 255 levels, below {limits.MinContrast:0})");
        }
        int w = gray.Width, h = gray.Height;
        var threshold = strongest * 0.35f;
        int top = h, bottom = -1, left = w, right = -1;
        for (var r = 0; r < h; r++)
        {
            for (var c = 0; c < w; c++)
            {
                if (ink[(r * w) + c] >= threshold)
                {
                    top = Math.Min(top, r);
                    bottom = Math.Max(bottom, r);
                    left = Math.Min(left, c);
                    right = Math.Max(right, c);
                }
            }
        }
        var inkHeight = bottom - top + 1;
        var margin = Math.Max(2, (int)Math.Floor((inkHeight * DefaultMargin) + 1e-9));
        var side = Math.Max(2, (int)Math.Floor((inkHeight * sideMargin) + 1e-9));
        top = Math.Max(0, top - margin);
        bottom = Math.Min(h - 1, bottom + margin);
        left = Math.Max(0, left - side);
        right = Math.Min(w - 1, right + side);
        var cropHeight = bottom - top + 1;
        var cropWidth = right - left + 1;
        var scale = height / (double)cropHeight;
        var width = Math.Max(8, (int)Math.Round(cropWidth * scale * stretch));
        using var inkMat = Mat.FromPixelData(h, w, MatType.CV_32FC1, ink);
        using var crop = new Mat(inkMat, new Rect(left, top, cropWidth, cropHeight));
        using var resized = new Mat();
        Cv2.Resize(crop, resized, new Size(width, height), 0, 0, scale < 1 ? InterpolationFlags.Area : InterpolationFlags.Linear);
        resized.GetArray(out float[] pixels);
        var inverse = 1f / strongest;
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = Math.Clamp(pixels[i] * inverse, 0, 1);
        }
        return (new LineImage(pixels, width, height, width / (double)cropWidth, left, top) { SourceHeight = cropHeight }, null);
    }

    /// <summary>The median level (the upper one for an even count), from a histogram instead of sorting a copy of every pixel.</summary>
    internal static byte Median(ReadOnlySpan<byte> levels)
    {
        Span<int> histogram = stackalloc int[256];
        foreach (var level in levels)
        {
            histogram[level]++;
        }
        var rank = levels.Length / 2;
        for (var level = 0; level < 256; level++)
        {
            rank -= histogram[level];
            if (rank < 0)
            {
                return (byte)level;
            }
        }
        return 255;
    }

    /// <summary>
    /// Reads and prepares an image file. The size its header declares is checked before anything is decoded, so an
    /// image over the limits costs microseconds, not a decode of gigabytes.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static LineLoad Load(string path, int height, LineImageLimits? limits = null, double stretch = 1.0, double sideMargin = DefaultMargin)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"image '{path}' does not exist", path);
        }
        limits ??= LineImageLimits.Default;
        if (Media.ImageHeader.TryRead(path) is { } declared && (declared.Width > limits.MaxWidth || declared.Height > limits.MaxHeight))
        {
            return LineLoad.Refuse(TooLarge(declared.Width, declared.Height, limits));
        }
        using var mat = Cv2.ImRead(path, ImreadModes.Grayscale);
        if (mat.Empty())
        {
            return LineLoad.Refuse($"'{path}' is not an image OpenCV can read (or it is empty)");
        }
        if (mat.Width > limits.MaxWidth || mat.Height > limits.MaxHeight)
        {
            return LineLoad.Refuse(TooLarge(mat.Width, mat.Height, limits));
        }
        var (image, noReading) = Prepare(mat, height, limits, stretch, sideMargin);
        return new LineLoad(image, noReading, Refused: false);
    }

    private static string TooLarge(int width, int height, LineImageLimits limits) =>
        $"image of {width}x{height} is larger than the limit of {limits.MaxWidth}x{limits.MaxHeight} (crop the text region first)";
}
