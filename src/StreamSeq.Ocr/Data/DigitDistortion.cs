using OpenCvSharp;
using StreamSeq.Learning.Data;

namespace StreamSeq.Ocr.Data;

/// <summary>
/// Random distortions of one MNIST digit for training (Simard, Steinkraus &amp; Platt 2003): an affine warp
/// (rotation, shear, separate horizontal and vertical scale) and an elastic deformation (a random displacement
/// field smoothed by a Gaussian), and sometimes thicker or thinner strokes. A recogniser trained on lines built
/// from a fixed set of digit images learns those images; distorted copies make it learn the digits' shapes, so
/// it reads other writers' digits better. Applied to training lines only.
/// </summary>
/// <param name="MaxRotationDegrees">Rotation drawn from ±this.</param>
/// <param name="MaxShear">Horizontal shear drawn from ±this.</param>
/// <param name="MaxScaleChange">Horizontal and vertical scales drawn independently from 1 ± this.</param>
/// <param name="ElasticAlpha">Strength of the elastic displacement, in pixels (0: none).</param>
/// <param name="ElasticSigma">Smoothness of the displacement field, in pixels.</param>
/// <param name="StrokeChange">Probability of dilating or eroding the strokes by one pixel.</param>
public sealed record DigitDistortion(double MaxRotationDegrees = 12, double MaxShear = 0.25, double MaxScaleChange = 0.15,
    double ElasticAlpha = 30, double ElasticSigma = 5, double StrokeChange = 0.3)
{
    /// <summary>The defaults (moderate distortions that keep every digit readable).</summary>
    public static DigitDistortion Default { get; } = new();

    /// <summary>A distorted copy of a row-major 28×28 digit in 0..1 (the input is not changed).</summary>
    public float[] Apply(float[] digit, Random random)
    {
        ArgumentNullException.ThrowIfNull(digit);
        if (digit.Length != MnistDigits.Pixels)
        {
            throw new ArgumentException($"a digit has {MnistDigits.Pixels} pixels, not {digit.Length}", nameof(digit));
        }
        const int side = MnistDigits.Side;
        using var source = Mat.FromPixelData(side, side, MatType.CV_32FC1, digit);
        using var warped = new Mat();
        using (var matrix = AffineAroundCentre(random, side))
        {
            Cv2.WarpAffine(source, warped, matrix, new Size(side, side), InterpolationFlags.Linear, BorderTypes.Constant, Scalar.All(0));
        }
        using var elastic = ElasticAlpha > 0 ? Elastic(warped, random, side) : warped.Clone();
        var stroke = random.NextDouble();
        if (stroke < StrokeChange)
        {
            using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(2, 2));
            if (stroke < StrokeChange / 2)
            {
                Cv2.Dilate(elastic, elastic, kernel);
            }
            else
            {
                Cv2.Erode(elastic, elastic, kernel);
            }
        }
        elastic.GetArray(out float[] result);
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = Math.Clamp(result[i], 0f, 1f);
        }
        return result;
    }

    private Mat AffineAroundCentre(Random random, int side)
    {
        var angle = (random.NextDouble() * 2 - 1) * MaxRotationDegrees * Math.PI / 180;
        var shear = (random.NextDouble() * 2 - 1) * MaxShear;
        var sx = 1 + ((random.NextDouble() * 2 - 1) * MaxScaleChange);
        var sy = 1 + ((random.NextDouble() * 2 - 1) * MaxScaleChange);
        // A = R·Sh·S, about the centre: x' = A (x − c) + c.
        var (cos, sin) = (Math.Cos(angle), Math.Sin(angle));
        var a = cos * sx;
        var b = (cos * shear * sy) - (sin * sy);
        var c = sin * sx;
        var d = (sin * shear * sy) + (cos * sy);
        var centre = (side - 1) / 2.0;
        var matrix = new Mat(2, 3, MatType.CV_64FC1);
        matrix.Set(0, 0, a);
        matrix.Set(0, 1, b);
        matrix.Set(0, 2, centre - (a * centre) - (b * centre));
        matrix.Set(1, 0, c);
        matrix.Set(1, 1, d);
        matrix.Set(1, 2, centre - (c * centre) - (d * centre));
        return matrix;
    }

    private Mat Elastic(Mat image, Random random, int side)
    {
        using var dx = RandomField(random, side);
        using var dy = RandomField(random, side);
        using var mapX = new Mat(side, side, MatType.CV_32FC1);
        using var mapY = new Mat(side, side, MatType.CV_32FC1);
        dx.GetArray(out float[] fx);
        dy.GetArray(out float[] fy);
        var xs = new float[side * side];
        var ys = new float[side * side];
        for (var r = 0; r < side; r++)
        {
            for (var col = 0; col < side; col++)
            {
                xs[(r * side) + col] = col + fx[(r * side) + col];
                ys[(r * side) + col] = r + fy[(r * side) + col];
            }
        }
        mapX.SetArray(xs);
        mapY.SetArray(ys);
        var result = new Mat();
        Cv2.Remap(image, result, mapX, mapY, InterpolationFlags.Linear, BorderTypes.Constant, Scalar.All(0));
        return result;
    }

    /// <summary>One displacement component: uniform noise in −1..1, smoothed by a Gaussian of <see cref="ElasticSigma"/>
    /// and scaled by <see cref="ElasticAlpha"/>, as in Simard et al.</summary>
    private Mat RandomField(Random random, int side)
    {
        var noise = new float[side * side];
        for (var i = 0; i < noise.Length; i++)
        {
            noise[i] = (float)((random.NextDouble() * 2) - 1);
        }
        using var raw = Mat.FromPixelData(side, side, MatType.CV_32FC1, noise);
        var field = new Mat();
        Cv2.GaussianBlur(raw, field, new Size(0, 0), ElasticSigma, ElasticSigma, BorderTypes.Reflect101);
        Cv2.Multiply(field, Scalar.All(ElasticAlpha), field);
        return field;
    }
}
