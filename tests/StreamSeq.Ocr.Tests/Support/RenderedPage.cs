using OpenCvSharp;
using SkiaSharp;
using StreamSeq.Ocr.Pages;

namespace StreamSeq.Ocr.Tests.Support;

/// <summary>A page drawn for the tests: its image and, in reading order, each line's text and ink box.</summary>
internal sealed class RenderedPage : IDisposable
{
    private RenderedPage(Mat image, IReadOnlyList<(string Text, PageBox Box)> lines)
    {
        Image = image;
        Lines = lines;
    }

    public Mat Image { get; }

    /// <summary>The lines in reading order with their ink boxes in <see cref="Image"/>.</summary>
    public IReadOnlyList<(string Text, PageBox Box)> Lines { get; }

    /// <summary>
    /// Draws a title across the page, then the <paramref name="columns"/> lists of lines side by side (left column
    /// read first), in DejaVu Sans (a font the printed model was trained on: the tests check the layout, not the
    /// recogniser's reach), then turns the page by <paramref name="degrees"/> (counter-clockwise) on a canvas that
    /// keeps its corners.
    /// </summary>
    public static RenderedPage Draw(string? title, IReadOnlyList<IReadOnlyList<string>> columns, double degrees = 0, float size = 24, int width = 1400, bool lightOnDark = false)
    {
        using var face = SKTypeface.FromFile("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf") ?? throw new FileNotFoundException("DejaVuSans.ttf (fonts-dejavu)");
        using var font = new SKFont(face, size);
        var pitch = size * 1.45f;
        var margin = 60f;
        var top = margin + size;
        var rows = columns.Max(c => c.Count);
        var height = (int)(top + (title is null ? 0 : pitch * 2) + (rows * pitch) + margin);
        var paper = lightOnDark ? (byte)30 : (byte)245;
        var ink = lightOnDark ? (byte)230 : (byte)20;
        using var bitmap = new SKBitmap(width, height, SKColorType.Gray8, SKAlphaType.Opaque);
        var lines = new List<(string, SKRect)>();
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(paper, paper, paper));
            using var paint = new SKPaint { Color = new SKColor(ink, ink, ink), IsAntialias = true };
            void Line(string text, float x, float baseline)
            {
                if (text.Length == 0)
                {
                    return;
                }
                canvas.DrawText(text, x, baseline, SKTextAlign.Left, font, paint);
                font.MeasureText(text, out var bounds, paint);
                bounds.Offset(x, baseline);
                lines.Add((text, bounds));
            }
            var y = top;
            if (title is not null)
            {
                Line(title, margin, y);
                y += pitch * 2;
            }
            var columnWidth = (width - (2 * margin)) / columns.Count;
            for (var c = 0; c < columns.Count; c++)
            {
                for (var r = 0; r < columns[c].Count; r++)
                {
                    Line(columns[c][r], margin + (c * columnWidth), y + (r * pitch));
                }
            }
        }
        using var gray = new Mat(height, width, MatType.CV_8UC1);
        var pixels = bitmap.GetPixelSpan();
        for (var r = 0; r < height; r++)
        {
            System.Runtime.InteropServices.Marshal.Copy(pixels.Slice(r * bitmap.RowBytes, width).ToArray(), 0, gray.Ptr(r), width);
        }
        var center = new Point2f(width / 2f, height / 2f);
        using var matrix = Cv2.GetRotationMatrix2D(center, degrees, 1.0);
        var t = degrees * Math.PI / 180;
        var (sin, cos) = (Math.Abs(Math.Sin(t)), Math.Abs(Math.Cos(t)));
        var turnedWidth = (int)Math.Ceiling((width * cos) + (height * sin));
        var turnedHeight = (int)Math.Ceiling((width * sin) + (height * cos));
        matrix.Set(0, 2, matrix.At<double>(0, 2) + ((turnedWidth - width) / 2.0));
        matrix.Set(1, 2, matrix.At<double>(1, 2) + ((turnedHeight - height) / 2.0));
        var image = new Mat();
        Cv2.WarpAffine(gray, image, matrix, new Size(turnedWidth, turnedHeight), InterpolationFlags.Linear, BorderTypes.Constant, new Scalar(paper));
        PageBox Turn(SKRect r)
        {
            var corners = new[] { (r.Left, r.Top), (r.Right, r.Top), (r.Left, r.Bottom), (r.Right, r.Bottom) }
                .Select(p => (X: (matrix.At<double>(0, 0) * p.Item1) + (matrix.At<double>(0, 1) * p.Item2) + matrix.At<double>(0, 2),
                              Y: (matrix.At<double>(1, 0) * p.Item1) + (matrix.At<double>(1, 1) * p.Item2) + matrix.At<double>(1, 2))).ToList();
            var (x0, y0) = ((int)Math.Floor(corners.Min(p => p.X)), (int)Math.Floor(corners.Min(p => p.Y)));
            var (x1, y1) = ((int)Math.Ceiling(corners.Max(p => p.X)), (int)Math.Ceiling(corners.Max(p => p.Y)));
            return new PageBox(x0, y0, x1 - x0, y1 - y0);
        }
        return new RenderedPage(image, [.. lines.Select(l => (l.Item1, Turn(l.Item2)))]);
    }

    public void Dispose() => Image.Dispose();
}
