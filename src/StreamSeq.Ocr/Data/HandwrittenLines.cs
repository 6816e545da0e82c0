using OpenCvSharp;
using StreamSeq.Learning.Data;

namespace StreamSeq.Ocr.Data;

/// <summary>
/// Handwritten digit strings made of real MNIST digits, like the amounts on bank cheques: 3–8 digits per
/// line, each scaled a little, spaced from wide gaps to touching and overlapping neighbours, the whole line
/// slanted, with stroke-contrast changes and pixel noise. Dark ink on a light background, 8-bit gray.
/// </summary>
public static class HandwrittenLines
{
    /// <summary>Line height in pixels before any resizing by the recogniser.</summary>
    public const int Height = 40;

    /// <summary>Draws a random line from the given split of the digits (held-out images for the test split).</summary>
    /// <param name="random">Every choice.</param>
    /// <param name="digits">The MNIST digits.</param>
    /// <param name="test">Draw from the held-out split.</param>
    /// <param name="minDigits">Fewest digits in the line.</param>
    /// <param name="maxDigits">Most digits in the line.</param>
    /// <param name="distortion">Distorts every digit image first (training lines), or null to use them as they are.</param>
    /// <returns>The image (the caller owns it) and its text.</returns>
    public static (Mat Image, string Text) Draw(Random random, MnistDigits digits, bool test, int minDigits = 3, int maxDigits = 8, DigitDistortion? distortion = null)
    {
        var count = random.Next(minDigits, maxDigits + 1);
        var text = new char[count];
        var glyphs = new List<(float[] Pixels, int Width, int Height)>();
        for (var i = 0; i < count; i++)
        {
            var d = random.Next(10);
            text[i] = (char)('0' + d);
            var pool = digits.Split(d, test);
            var image = pool[random.Next(pool.Count)];
            glyphs.Add(Scale(Crop(distortion is null ? image : distortion.Apply(image, random)), random.NextDouble() * 0.3 + 0.85));
        }
        // Column gap to the previous digit: mostly small gaps, sometimes wide, sometimes touching or overlapping.
        var gaps = new int[count];
        for (var i = 1; i < count; i++)
        {
            var kind = random.NextDouble();
            gaps[i] = kind < 0.2 ? random.Next(-4, 1) : kind < 0.85 ? random.Next(1, 6) : random.Next(6, 14);
        }
        var margin = random.Next(3, 10);
        var width = margin * 2 + glyphs.Sum(g => g.Width) + gaps.Sum() + Height;
        var ink = new float[Height * width];
        var x = margin;
        for (var i = 0; i < count; i++)
        {
            x += gaps[i];
            var (pixels, w, h) = glyphs[i];
            var top = (Height - h) / 2 + random.Next(-2, 3);
            for (var r = 0; r < h; r++)
            {
                var y = top + r;
                if (y < 0 || y >= Height)
                {
                    continue;
                }
                for (var c = 0; c < w; c++)
                {
                    var at = (y * width) + x + c;
                    ink[at] = Math.Max(ink[at], pixels[(r * w) + c]);
                }
            }
            x += w;
        }
        var used = Math.Min(width, x + margin);
        var contrast = 0.6 + random.NextDouble() * 0.4;
        var paper = 0.85 + random.NextDouble() * 0.15;
        var values = new float[Height * used];
        for (var r = 0; r < Height; r++)
        {
            for (var c = 0; c < used; c++)
            {
                values[(r * used) + c] = (float)(paper - contrast * ink[(r * width) + c]);
            }
        }
        using var canvas = Mat.FromPixelData(Height, used, MatType.CV_32FC1, values);
        using var slanted = Shear(canvas, (random.NextDouble() - 0.5) * 0.5);
        AddNoise(slanted, random, 0.02 + random.NextDouble() * 0.05);
        var result = new Mat();
        slanted.ConvertTo(result, MatType.CV_8UC1, 255.0);
        return (result, new string(text));
    }

    /// <summary>The columns of a 28×28 digit that hold ink (rows kept, so digits share a baseline).</summary>
    private static (float[] Pixels, int Width, int Height) Crop(float[] digit)
    {
        var side = MnistDigits.Side;
        int left = side, right = -1;
        for (var c = 0; c < side; c++)
        {
            for (var r = 0; r < side; r++)
            {
                if (digit[(r * side) + c] > 0.1f)
                {
                    left = Math.Min(left, c);
                    right = Math.Max(right, c);
                }
            }
        }
        if (right < left)
        {
            return (digit, side, side);
        }
        var w = right - left + 1;
        var pixels = new float[side * w];
        for (var r = 0; r < side; r++)
        {
            for (var c = 0; c < w; c++)
            {
                pixels[(r * w) + c] = digit[(r * side) + left + c];
            }
        }
        return (pixels, w, side);
    }

    private static (float[] Pixels, int Width, int Height) Scale((float[] Pixels, int Width, int Height) glyph, double factor)
    {
        using var source = Mat.FromPixelData(glyph.Height, glyph.Width, MatType.CV_32FC1, glyph.Pixels);
        var w = Math.Max(1, (int)Math.Round(glyph.Width * factor));
        var h = Math.Max(1, (int)Math.Round(glyph.Height * factor));
        using var scaled = new Mat();
        Cv2.Resize(source, scaled, new Size(w, h), 0, 0, InterpolationFlags.Linear);
        scaled.GetArray(out float[] pixels);
        return (pixels, w, h);
    }

    /// <summary>Slants the image: x' = x + k·(y − centre), widening it to keep every column.</summary>
    internal static Mat Shear(Mat image, double k)
    {
        var extra = (int)Math.Ceiling(Math.Abs(k) * image.Height / 2) + 1;
        using var matrix = new Mat(2, 3, MatType.CV_64FC1);
        matrix.Set(0, 0, 1.0);
        matrix.Set(0, 1, k);
        matrix.Set(0, 2, extra - (k * image.Height / 2));
        matrix.Set(1, 0, 0.0);
        matrix.Set(1, 1, 1.0);
        matrix.Set(1, 2, 0.0);
        var result = new Mat();
        using var firstRow = image.Row(0);
        var border = Cv2.Mean(firstRow).Val0;
        Cv2.WarpAffine(image, result, matrix, new Size(image.Width + (2 * extra), image.Height), InterpolationFlags.Linear, BorderTypes.Constant, new Scalar(border));
        return result;
    }

    /// <summary>Adds Gaussian noise of standard deviation <paramref name="sigma"/> to a float image in 0..1, clipped.</summary>
    internal static void AddNoise(Mat image, Random random, double sigma)
    {
        image.GetArray(out float[] values);
        for (var i = 0; i < values.Length; i++)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            var n = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            values[i] = (float)Math.Clamp(values[i] + (sigma * n), 0, 1);
        }
        image.SetArray(values);
    }
}
