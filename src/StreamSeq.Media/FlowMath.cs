using OpenCvSharp;

namespace StreamSeq.Media;

/// <summary>Statistics and pictures of dense flow fields (CV_32FC2, dx/dy in pixels per frame).</summary>
public static class FlowMath
{
    /// <summary>Mean/max speed, mean direction and the share of pixels moving faster than <paramref name="threshold"/>.</summary>
    public static unsafe FlowStatistics Statistics(Mat flow, double threshold)
    {
        if (flow.Type() != MatType.CV_32FC2)
        {
            throw new ArgumentException($"a flow field is CV_32FC2, not {flow.Type()}", nameof(flow));
        }
        double sum = 0, max = 0, sumDx = 0, sumDy = 0;
        long moving = 0;
        var rows = flow.Rows;
        var cols = flow.Cols;
        for (var y = 0; y < rows; y++)
        {
            var row = (float*)flow.Ptr(y);
            for (var x = 0; x < cols; x++)
            {
                double dx = row[2 * x], dy = row[(2 * x) + 1];
                var magnitude = Math.Sqrt((dx * dx) + (dy * dy));
                sum += magnitude;
                sumDx += dx;
                sumDy += dy;
                if (magnitude > max)
                {
                    max = magnitude;
                }
                if (magnitude > threshold)
                {
                    moving++;
                }
            }
        }
        double count = Math.Max(1, (long)rows * cols);
        return new FlowStatistics(sum / count, max, sumDx / count, sumDy / count, moving / count);
    }

    /// <summary>The field on the HSV colour wheel as a new BGR image: hue is direction, brightness is speed (saturating at <paramref name="maxMagnitude"/>).</summary>
    public static Mat Visualize(Mat flow, double maxMagnitude)
    {
        var parts = Cv2.Split(flow);
        try
        {
            using var magnitude = new Mat();
            using var angle = new Mat();
            Cv2.CartToPolar(parts[0], parts[1], magnitude, angle, angleInDegrees: true);
            using var hue = new Mat();
            angle.ConvertTo(hue, MatType.CV_8U, 0.5);
            using var value = new Mat();
            magnitude.ConvertTo(value, MatType.CV_8U, 255.0 / maxMagnitude);
            using var saturation = new Mat(flow.Size(), MatType.CV_8U, Scalar.All(255));
            using var hsv = new Mat();
            Cv2.Merge([hue, saturation, value], hsv);
            var bgr = new Mat();
            Cv2.CvtColor(hsv, bgr, ColorConversionCodes.HSV2BGR);
            return bgr;
        }
        finally
        {
            foreach (var part in parts)
            {
                part.Dispose();
            }
        }
    }
}
