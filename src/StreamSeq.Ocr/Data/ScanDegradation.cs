using OpenCvSharp;

namespace StreamSeq.Ocr.Data;

/// <summary>
/// Scan- and camera-like damage to an 8-bit gray line image, drawn at random: a lower resolution (down to about a
/// third, as 100 dpi is to 300), rotation up to ±3° and shear, ink bleed or faded ink, uneven light, paper texture,
/// blur, sensor noise, JPEG at low quality and, sometimes, hard binarisation. Each kind is applied with its own
/// probability, so clean lines remain among the damaged ones.
/// </summary>
public static class ScanDegradation
{
    /// <summary>Returns a damaged copy of <paramref name="image"/> (dark ink on light paper); the caller owns it.</summary>
    public static Mat Apply(Mat image, Random random)
    {
        var paper = (double)Data.LineImage.Median(Bytes(image));
        var current = image.Clone();
        void Replace(Mat next)
        {
            current.Dispose();
            current = next;
        }
        if (random.NextDouble() < 0.6)
        {
            var scale = 0.35 + (random.NextDouble() * 0.65);
            var small = new Mat();
            Cv2.Resize(current, small, new Size(Math.Max(8, (int)(current.Width * scale)), Math.Max(6, (int)(current.Height * scale))), 0, 0, InterpolationFlags.Area);
            Replace(small);
        }
        if (random.NextDouble() < 0.7)
        {
            var degrees = (random.NextDouble() - 0.5) * 6;
            var shear = random.NextDouble() < 0.3 ? (random.NextDouble() - 0.5) * 0.3 : 0;
            Replace(Warp(current, degrees, shear, paper));
        }
        var u = random.NextDouble();
        if (u < 0.12)
        {
            // Ink bleed: dark strokes spread.
            using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(2, 2));
            var bled = new Mat();
            Cv2.Erode(current, bled, kernel);
            Replace(bled);
        }
        else if (u < 0.24)
        {
            // Faded ink: strokes thin and lose contrast.
            using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(2, 2));
            var faded = new Mat();
            Cv2.Dilate(current, faded, kernel);
            faded.ConvertTo(faded, MatType.CV_8UC1, 0.6, paper * 0.4);
            Replace(faded);
        }
        using var floats = new Mat();
        current.ConvertTo(floats, MatType.CV_32FC1, 1 / 255.0);
        if (random.NextDouble() < 0.35)
        {
            // Uneven light: a linear ramp across the line in a random direction.
            var (w, h) = (floats.Width, floats.Height);
            var angle = random.NextDouble() * Math.PI * 2;
            var depth = 0.15 + (random.NextDouble() * 0.35);
            var (dx, dy) = (Math.Cos(angle), Math.Sin(angle));
            var norm = Math.Max(1, (Math.Abs(dx) * w) + (Math.Abs(dy) * h));
            floats.GetArray(out float[] values);
            for (var r = 0; r < h; r++)
            {
                for (var c = 0; c < w; c++)
                {
                    var t = (((c - (w / 2.0)) * dx) + ((r - (h / 2.0)) * dy)) / norm;
                    values[(r * w) + c] *= (float)(1 - (depth * (t + 0.5)));
                }
            }
            floats.SetArray(values);
        }
        if (random.NextDouble() < 0.3)
        {
            // Paper texture: smooth low-frequency blotches.
            // Drawn from the caller's Random (not OpenCV's global generator), so a seed gives the same line.
            var (rows, cols) = (Math.Max(2, floats.Height / 8), Math.Max(2, floats.Width / 8));
            var sigma = 0.06 + (random.NextDouble() * 0.06);
            var blotches = new float[rows * cols];
            for (var i = 0; i < blotches.Length; i++)
            {
                blotches[i] = (float)(sigma * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
            }
            using var coarse = Mat.FromPixelData(rows, cols, MatType.CV_32FC1, blotches);
            using var texture = new Mat();
            Cv2.Resize(coarse, texture, floats.Size(), 0, 0, InterpolationFlags.Cubic);
            Cv2.Add(floats, texture, floats);
        }
        if (random.NextDouble() < 0.5)
        {
            Cv2.GaussianBlur(floats, floats, new Size(0, 0), 0.4 + (random.NextDouble() * 1.1));
        }
        if (random.NextDouble() < 0.5)
        {
            HandwrittenLines.AddNoise(floats, random, random.NextDouble() * 0.06);
        }
        var result = new Mat();
        floats.ConvertTo(result, MatType.CV_8UC1, 255.0);
        Replace(result);
        if (random.NextDouble() < 0.35)
        {
            Cv2.ImEncode(".jpg", current, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, random.Next(12, 70)));
            Replace(Cv2.ImDecode(jpeg, ImreadModes.Grayscale));
        }
        if (random.NextDouble() < 0.12)
        {
            var binary = new Mat();
            Cv2.Threshold(current, binary, 0, 255, ThresholdTypes.Binary | ThresholdTypes.Otsu);
            Replace(binary);
        }
        return current;
    }

    private static byte[] Bytes(Mat image)
    {
        using var gray = Media.FrameConversions.ToGray(image);
        gray.GetArray(out byte[] bytes);
        return bytes;
    }

    private static Mat Warp(Mat image, double degrees, double shear, double paper)
    {
        var (w, h) = (image.Width, image.Height);
        using var rotation = Cv2.GetRotationMatrix2D(new Point2f(w / 2f, h / 2f), degrees, 1.0);
        // Room for the turned corners: a long line tilted by 3° rises by 5 % of its length.
        var t = Math.Abs(degrees) * Math.PI / 180;
        var height = (int)Math.Ceiling((h * Math.Cos(t)) + (w * Math.Sin(t)) + (Math.Abs(shear) * h));
        var width = (int)Math.Ceiling((w * Math.Cos(t)) + (h * Math.Sin(t)) + (Math.Abs(shear) * h));
        rotation.Set(0, 1, rotation.At<double>(0, 1) + shear);
        rotation.Set(0, 2, rotation.At<double>(0, 2) + ((width - w) / 2.0) - (shear * h / 2.0));
        rotation.Set(1, 2, rotation.At<double>(1, 2) + ((height - h) / 2.0));
        var result = new Mat();
        Cv2.WarpAffine(image, result, rotation, new Size(width, height), InterpolationFlags.Linear, BorderTypes.Constant, new Scalar(paper));
        return result;
    }
}
