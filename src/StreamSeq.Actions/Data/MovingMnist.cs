using OpenCvSharp;
using StreamSeq.Learning.Data;

namespace StreamSeq.Actions.Data;

/// <summary>How one generated clip is made: which digit image moves how, over what background.</summary>
/// <param name="Motion">Index into <see cref="ActionClasses.Motions"/>.</param>
/// <param name="Digit">The digit's image (28×28, 0..1).</param>
/// <param name="Speed">Pixels per frame (translation), degrees per frame (rotation), or scale factor per frame (zoom).</param>
/// <param name="CenterX">Digit centre at the middle frame.</param>
/// <param name="CenterY">Digit centre at the middle frame.</param>
/// <param name="Scale">Digit scale at the middle frame.</param>
/// <param name="Angle">Digit tilt at the middle frame, degrees.</param>
/// <param name="Distractors">Static digits placed in the scene: image, centre, scale, brightness.</param>
/// <param name="BackgroundLevel">Brightness of the static background texture (0..1).</param>
/// <param name="NoiseSigma">Per-frame pixel noise.</param>
/// <param name="NoiseSeed">Seeds the background texture and per-frame noise.</param>
public sealed record ClipSpec(
    int Motion, float[] Digit, double Speed, double CenterX, double CenterY, double Scale, double Angle,
    IReadOnlyList<(float[] Image, double X, double Y, double Scale, double Brightness)> Distractors,
    double BackgroundLevel, double NoiseSigma, int NoiseSeed)
{
    /// <summary>Unit direction of a translation (and of the static shift of other motions).</summary>
    public (double Dx, double Dy) Direction { get; init; } = (1, 0);

    /// <summary>The frame (possibly between two) at which the digit has the state given by the other members.</summary>
    public double Middle { get; init; }
}

/// <summary>
/// Moving-MNIST actions: a real handwritten digit moves left, right, up or down, rotates clockwise or
/// counter-clockwise, zooms in or out, or stays still, over a noisy static background, among static
/// distractor digits. In the motion variant nothing but the motion tells the classes apart.
/// </summary>
public static class MovingMnist
{
    public const int FrameSide = 64;
    public const int DefaultFrames = 16;

    /// <summary>
    /// Draws a random clip of class <paramref name="label"/> for <paramref name="variant"/> from the given split
    /// of digits. Every clip has a position, a scale and a tilt; the motion animates one of them over time
    /// around its value at the middle frame, and the two it leaves alone get a static offset drawn from the
    /// very distribution that animating them would visit. So any single frame of any class shows the digit
    /// at the same spread of places, sizes and angles: only motion tells the motion classes apart.
    /// </summary>
    public static ClipSpec Draw(Random random, ActionVariant variant, int label, MnistDigits digits, bool test, int frames = DefaultFrames)
    {
        var motion = variant == ActionVariant.Motion ? label : random.Next(ActionClasses.Motions.Count);
        var digitClass = variant == ActionVariant.Identity ? label : random.Next(10);
        var pool = digits.Split(digitClass, test);
        var digit = pool[random.Next(pool.Count)];
        var name = ActionClasses.Motions[motion];
        var half = (frames - 1) / 2.0;
        double Offset() => Uniform(random, -half, half);
        // Translation: pixels/frame along one axis; rotation: degrees/frame; zoom: scale factor/frame.
        var shiftSpeed = Uniform(random, 1.2, 3.0);
        var turnSpeed = Uniform(random, 4, 10);
        var zoomSpeed = Uniform(random, 1.025, 1.05);
        var (dx, dy) = name switch
        {
            "right" => (1.0, 0.0),
            "left" => (-1.0, 0.0),
            "down" => (0.0, 1.0),
            "up" => (0.0, -1.0),
            _ => random.Next(4) switch { 0 => (1.0, 0.0), 1 => (-1.0, 0.0), 2 => (0.0, 1.0), _ => (0.0, -1.0) },
        };
        var translating = name is "left" or "right" or "up" or "down";
        var turning = name is "rotate-cw" or "rotate-ccw";
        var zooming = name is "zoom-in" or "zoom-out";
        var shift = translating ? 0 : shiftSpeed * Offset();
        var turn = turning ? 0 : turnSpeed * (random.Next(2) == 0 ? -1 : 1) * Offset();
        var zoom = zooming ? 1 : Math.Pow(zoomSpeed, Offset());
        if (variant == ActionVariant.Identity)
        {
            // The digit itself is the label: no need to hide the motion, so no extra offsets to make it harder
            // to read (drawn all the same, so the motion variant's clips do not depend on this branch).
            (shift, turn, zoom) = (0, 0, 1);
        }
        var speed = name switch
        {
            "left" or "right" or "up" or "down" => shiftSpeed,
            "rotate-cw" or "rotate-ccw" => turnSpeed,
            "zoom-in" => zoomSpeed,
            "zoom-out" => 1 / zoomSpeed,
            _ => 0,
        };
        if (variant == ActionVariant.Identity)
        {
            // Half the motion: the digit stays legible (in frame, upright enough, large enough) in every frame.
            speed = name.StartsWith("zoom", StringComparison.Ordinal) ? Math.Pow(speed, 0.5) : speed / 2;
        }
        // Middle-frame state: the clip's first frame is then `half` steps before it.
        var centerX = Uniform(random, 24, 40) + (dx * shift);
        var centerY = Uniform(random, 24, 40) + (dy * shift);
        var scale = Uniform(random, 0.8, 1.2) * zoom;
        var angle = Uniform(random, -15, 15) + turn;
        var distractors = new List<(float[], double, double, double, double)>();
        if (variant == ActionVariant.Motion)
        {
            var count = random.Next(0, 3);
            for (var i = 0; i < count; i++)
            {
                var other = digits.Split(random.Next(10), test);
                distractors.Add((other[random.Next(other.Count)], Uniform(random, 8, 56), Uniform(random, 8, 56), Uniform(random, 0.6, 1.0), Uniform(random, 0.5, 0.9)));
            }
        }
        return new ClipSpec(motion, digit, speed, centerX, centerY, scale, angle, distractors,
            Uniform(random, 0.05, 0.3), Uniform(random, 0.01, 0.04), random.Next()) { Direction = (dx, dy), Middle = half };
    }

    /// <summary>Renders the clip as 8-bit gray frames of <see cref="FrameSide"/>²; the caller disposes them.</summary>
    public static Mat[] Render(ClipSpec spec, int frames = DefaultFrames)
    {
        var random = new Random(spec.NoiseSeed);
        using var background = new Mat(FrameSide, FrameSide, MatType.CV_32F);
        using (var texture = new Mat(FrameSide / 4, FrameSide / 4, MatType.CV_32F))
        {
            Fill(texture, random, 0, spec.BackgroundLevel);
            Cv2.Resize(texture, background, new Size(FrameSide, FrameSide), 0, 0, InterpolationFlags.Cubic);
        }
        using var still = new Mat(FrameSide, FrameSide, MatType.CV_32F, Scalar.All(0));
        foreach (var (image, x, y, scale, brightness) in spec.Distractors)
        {
            using var placed = Place(image, x, y, scale, 0);
            Cv2.Max(still, placed * brightness, still);
        }
        Cv2.Max(background, still, background);
        var name = ActionClasses.Motions[spec.Motion];
        var result = new Mat[frames];
        using var noise = new Mat(FrameSide, FrameSide, MatType.CV_32F);
        for (var t = 0; t < frames; t++)
        {
            double cx = spec.CenterX, cy = spec.CenterY, scale = spec.Scale, angle = spec.Angle;
            var step = t - spec.Middle;
            switch (name)
            {
                case "left" or "right" or "up" or "down":
                    cx += spec.Direction.Dx * spec.Speed * step;
                    cy += spec.Direction.Dy * spec.Speed * step;
                    break;
                // OpenCV's positive angle turns counter-clockwise on screen (y points down).
                case "rotate-cw": angle -= spec.Speed * step; break;
                case "rotate-ccw": angle += spec.Speed * step; break;
                case "zoom-in" or "zoom-out": scale *= Math.Pow(spec.Speed, step); break;
            }
            using var digit = Place(spec.Digit, cx, cy, scale, angle);
            using var frame = new Mat();
            Cv2.Max(background, digit, frame);
            Fill(noise, random, -spec.NoiseSigma * 1.7, spec.NoiseSigma * 1.7);
            Cv2.Add(frame, noise, frame);
            var bytes = new Mat();
            frame.ConvertTo(bytes, MatType.CV_8U, 255);
            result[t] = bytes;
        }
        return result;
    }

    private static Mat Place(float[] digit, double cx, double cy, double scale, double angle)
    {
        using var source = Mat.FromPixelData(MnistDigits.Side, MnistDigits.Side, MatType.CV_32F, digit);
        using var transform = Cv2.GetRotationMatrix2D(new Point2f(MnistDigits.Side / 2f, MnistDigits.Side / 2f), angle, scale);
        transform.At<double>(0, 2) += cx - (MnistDigits.Side / 2.0);
        transform.At<double>(1, 2) += cy - (MnistDigits.Side / 2.0);
        var placed = new Mat();
        Cv2.WarpAffine(source, placed, transform, new Size(FrameSide, FrameSide), InterpolationFlags.Linear, BorderTypes.Constant, Scalar.All(0));
        return placed;
    }

    private static unsafe void Fill(Mat target, Random random, double low, double high)
    {
        var rows = target.Rows;
        var cols = target.Cols;
        for (var y = 0; y < rows; y++)
        {
            var row = (float*)target.Ptr(y);
            for (var x = 0; x < cols; x++)
            {
                row[x] = (float)(low + (random.NextDouble() * (high - low)));
            }
        }
    }

    private static double Uniform(Random random, double low, double high) => low + (random.NextDouble() * (high - low));
}
