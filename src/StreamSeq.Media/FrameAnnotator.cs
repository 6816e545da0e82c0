using OpenCvSharp;

namespace StreamSeq.Media;

/// <summary>Draws what a viewer wants to see on a frame: the flow, the current label and its score.</summary>
public static class FrameAnnotator
{
    /// <summary>A new BGR image of <paramref name="size"/> showing <paramref name="frame"/>, its flow and <paramref name="prediction"/>.</summary>
    public static Mat Render(VideoFrame frame, Size size, bool flowOverlay, Prediction? prediction)
    {
        var canvas = new Mat();
        try
        {
            using (var bgr = ToBgr8(frame.Image))
            {
                Cv2.Resize(bgr, canvas, size, 0, 0, InterpolationFlags.Nearest);
            }
            if (flowOverlay && frame is FlowFrame flowFrame)
            {
                using var visual = flowFrame.Visual is { } v ? v.Clone() : FlowMath.Visualize(flowFrame.Flow, 4);
                using var scaled = new Mat();
                Cv2.Resize(visual, scaled, size, 0, 0, InterpolationFlags.Linear);
                Cv2.AddWeighted(canvas, 0.6, scaled, 0.7, 0, canvas);
            }
            var scale = Math.Max(0.35, size.Height / 400.0);
            var line = Math.Max(1, (int)Math.Round(scale * 2));
            var text = prediction is null ? "..." : $"{prediction.Label} {prediction.Score:P0}";
            var textSize = Cv2.GetTextSize(text, HersheyFonts.HersheySimplex, scale, line, out var baseline);
            Cv2.Rectangle(canvas, new Rect(0, 0, Math.Min(size.Width, textSize.Width + 8), textSize.Height + baseline + 8), Scalar.Black, -1);
            Cv2.PutText(canvas, text, new Point(4, textSize.Height + 4), HersheyFonts.HersheySimplex, scale, Scalar.White, line, LineTypes.AntiAlias);
            if (prediction is not null)
            {
                var bar = (int)Math.Round(size.Width * Math.Clamp(prediction.Score, 0, 1));
                Cv2.Rectangle(canvas, new Rect(0, size.Height - 4, Math.Max(1, bar), 4), new Scalar(0, 200, 0), -1);
            }
            return canvas;
        }
        catch
        {
            canvas.Dispose();
            throw;
        }
    }

    private static Mat ToBgr8(Mat image)
    {
        using var eightBit = image.Depth() == MatType.CV_8U ? null : new Mat();
        var source = image;
        if (eightBit is not null)
        {
            Cv2.Normalize(image, eightBit, 0, 255, NormTypes.MinMax, (int)MatType.CV_8U);
            source = eightBit;
        }
        var bgr = new Mat();
        if (source.Channels() == 1)
        {
            Cv2.CvtColor(source, bgr, ColorConversionCodes.GRAY2BGR);
        }
        else
        {
            source.CopyTo(bgr);
        }
        return bgr;
    }
}
