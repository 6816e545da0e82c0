using OpenCvSharp;

namespace StreamSeq.Actions.Data;

/// <summary>Where the pictures of a clip come from: one photograph, or consecutive frames of a real video.</summary>
/// <param name="Collection">The package or folder the source belongs to (splits hold out whole collections).</param>
/// <param name="Name">The file name.</param>
/// <param name="Frames">Gray 8-bit pictures: one for a photograph, several for a video. Owned by the source.</param>
public sealed record FootageSource(string Collection, string Name, IReadOnlyList<Mat> Frames) : IDisposable
{
    public bool IsVideo => Frames.Count > 1;

    public void Dispose()
    {
        foreach (var frame in Frames)
        {
            frame.Dispose();
        }
    }
}

/// <summary>
/// Motion clips from real footage: a virtual camera over a photograph (or over a real video's frames) pans,
/// turns about a point or zooms about a point, at varied speeds, while independent objects (person-shaped or
/// blob-shaped patches cut from other pictures) cross the view on their own; <c>still</c> is a static camera
/// with such objects moving, or a crop of a real static-camera video. Lighting flicker, sensor noise and JPEG
/// compression are added per frame. Labels name the motion of the scene's content on screen, as the
/// Moving-MNIST classes do (<c>left</c>: content moves left; <c>rotate-cw</c>: it turns clockwise).
/// </summary>
public static class CameraClips
{
    /// <summary>Side of the clips written (the pipeline's frames are 64×64).</summary>
    public const int Side = MovingMnist.FrameSide;

    /// <summary>Rendered at twice the side and shrunk with area averaging, as the pipeline shrinks camera frames.</summary>
    private const int Render = 2 * Side;

    /// <summary>
    /// Renders clip <paramref name="motion"/> (index into <see cref="ActionClasses.Motions"/>) of
    /// <paramref name="frames"/> frames. <paramref name="scene"/> is what the camera looks at; sprites for the
    /// moving objects are cut from <paramref name="others"/>. Deterministic for a <paramref name="random"/> state.
    /// </summary>
    public static Mat[] Draw(Random random, int motion, FootageSource scene, IReadOnlyList<FootageSource> others, int frames = MovingMnist.DefaultFrames)
    {
        var name = ActionClasses.Motions[motion];
        if (name == "still" && scene.IsVideo)
        {
            return FromStaticVideo(random, scene, frames);
        }
        var transforms = CameraPath(random, name, scene, frames);
        // A static camera always sees something move (else the clip is trivially still); a moving one half the time.
        var objects = Objects(random, name == "still" ? random.Next(1, 5) : random.Next(2) * random.Next(1, 3), others, frames, name == "still" ? 0.25 : 0.15);
        var look = Look.Draw(random);
        var result = new Mat[frames];
        var start = scene.IsVideo ? random.Next(Math.Max(1, scene.Frames.Count - frames)) : 0;
        using var view = new Mat();
        for (var t = 0; t < frames; t++)
        {
            var picture = scene.Frames[Math.Min(scene.Frames.Count - 1, start + t)];
            Cv2.WarpAffine(picture, view, transforms[t], new Size(Render, Render), InterpolationFlags.Linear, BorderTypes.Reflect101);
            foreach (var moving in objects)
            {
                moving.DrawOn(view, t);
            }
            result[t] = look.Finish(view, random, t);
        }
        foreach (var moving in objects)
        {
            moving.Dispose();
        }
        return result;
    }

    /// <summary>
    /// Photo-to-view transforms of every frame: a base view (scale, centre) and the motion, applied in view
    /// coordinates about the frame's middle so the clip's middle frame is the base view. A base view that would
    /// show beyond the picture at some frame is drawn again (up to 40 times; then reflection fills the edge).
    /// </summary>
    private static Mat[] CameraPath(Random random, string name, FootageSource scene, int frames)
    {
        var picture = scene.Frames[0];
        var half = (frames - 1) / 2.0;
        // Speeds in pixels of the 64-pixel clip per frame, degrees per frame, scale factor per frame.
        var shift = Uniform(random, 0.8, 3.2) * Render / Side;
        var turn = Uniform(random, 1.5, 6.0);
        var zoom = Uniform(random, 1.015, 1.05);
        var center = new Point2d(Uniform(random, 0.2, 0.8) * Render, Uniform(random, 0.2, 0.8) * Render);
        var jitter = name == "still" ? 0 : Uniform(random, 0, 0.25) * Render / Side;
        var shakes = Enumerable.Range(0, frames).Select(_ => new Point2d(Gaussian(random) * jitter, Gaussian(random) * jitter)).ToArray();
        double[,]? chosen = null;
        var motions = new double[frames][,];
        for (var attempt = 0; attempt < 40 && chosen is null; attempt++)
        {
            var minScale = Math.Max((double)Render / picture.Width, (double)Render / picture.Height);
            var scale = Uniform(random, minScale * 1.1, minScale * 3);
            var focus = new Point2d(Uniform(random, 0.25, 0.75) * picture.Width, Uniform(random, 0.25, 0.75) * picture.Height);
            var view = new double[,] { { scale, 0, (Render / 2.0) - (scale * focus.X) }, { 0, scale, (Render / 2.0) - (scale * focus.Y) }, { 0, 0, 1 } };
            var inside = true;
            for (var t = 0; t < frames && inside; t++)
            {
                var step = t - half;
                var m = name switch
                {
                    "left" => Translation(-shift * step, 0),
                    "right" => Translation(shift * step, 0),
                    "up" => Translation(0, -shift * step),
                    "down" => Translation(0, shift * step),
                    // OpenCV's positive angle turns counter-clockwise on screen (y points down).
                    "rotate-cw" => About(center, -turn * step, 1),
                    "rotate-ccw" => About(center, turn * step, 1),
                    "zoom-in" => About(center, 0, Math.Pow(zoom, step)),
                    "zoom-out" => About(center, 0, Math.Pow(zoom, -step)),
                    _ => Translation(0, 0),
                };
                motions[t] = Multiply(Translation(shakes[t].X, shakes[t].Y), Multiply(m, view));
                inside = Covers(motions[t], picture.Width, picture.Height);
            }
            if (inside && (attempt >= 30 || Textured(picture, motions[frames / 2])))
            {
                chosen = view;
            }
        }
        return motions.Select(m => Mat.FromPixelData(2, 3, MatType.CV_64F, new[] { m[0, 0], m[0, 1], m[0, 2], m[1, 0], m[1, 1], m[1, 2] }).Clone()).ToArray();
    }

    /// <summary>
    /// Whether the view shows enough texture for motion to be seen at all: a flat sky or a smooth gradient moves
    /// without any flow, and its label could not be told by anyone. Mean absolute gradient of the 64² view, in grey
    /// levels per pixel; views of wallpapers that are flat artwork fail it, views of photographs rarely do.
    /// </summary>
    private static bool Textured(Mat picture, double[,] m)
    {
        using var transform = Mat.FromPixelData(2, 3, MatType.CV_64F, new[] { m[0, 0] / 2, m[0, 1] / 2, m[0, 2] / 2, m[1, 0] / 2, m[1, 1] / 2, m[1, 2] / 2 });
        using var view = new Mat();
        Cv2.WarpAffine(picture, view, transform, new Size(Side, Side), InterpolationFlags.Area, BorderTypes.Reflect101);
        using var gx = new Mat();
        using var gy = new Mat();
        Cv2.Sobel(view, gx, MatType.CV_32F, 1, 0);
        Cv2.Sobel(view, gy, MatType.CV_32F, 0, 1);
        var mean = (Cv2.Mean(Cv2.Abs(gx)).Val0 + Cv2.Mean(Cv2.Abs(gy)).Val0) / 8;
        return mean >= MinTexture;
    }

    /// <summary>Least mean absolute gradient (grey levels per pixel) of a view the camera moves over.</summary>
    private const double MinTexture = 3;

    /// <summary>Whether the view's corners, mapped back into the picture, all fall inside it.</summary>
    private static bool Covers(double[,] m, int width, int height)
    {
        var det = (m[0, 0] * m[1, 1]) - (m[0, 1] * m[1, 0]);
        foreach (var (x, y) in new[] { (0.0, 0.0), (Render, 0.0), (0.0, Render), ((double)Render, (double)Render) })
        {
            var dx = x - m[0, 2];
            var dy = y - m[1, 2];
            var px = ((m[1, 1] * dx) - (m[0, 1] * dy)) / det;
            var py = ((-m[1, 0] * dx) + (m[0, 0] * dy)) / det;
            if (px < 0 || py < 0 || px > width - 1 || py > height - 1)
            {
                return false;
            }
        }
        return true;
    }

    private static double[,] Translation(double x, double y) => new double[,] { { 1, 0, x }, { 0, 1, y }, { 0, 0, 1 } };

    private static double[,] About(Point2d center, double degrees, double scale)
    {
        var a = degrees * Math.PI / 180;
        var c = Math.Cos(a) * scale;
        var s = Math.Sin(a) * scale;
        // cv::getRotationMatrix2D: [c s (1-c)x-s·y; -s c s·x+(1-c)y]
        return new double[,] { { c, s, ((1 - c) * center.X) - (s * center.Y) }, { -s, c, (s * center.X) + ((1 - c) * center.Y) }, { 0, 0, 1 } };
    }

    private static double[,] Multiply(double[,] a, double[,] b)
    {
        var r = new double[3, 3];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                r[i, j] = (a[i, 0] * b[0, j]) + (a[i, 1] * b[1, j]) + (a[i, 2] * b[2, j]);
            }
        }
        return r;
    }

    /// <summary>A static camera's clip: consecutive frames (every frame or every second one) of a real video, one crop of it.</summary>
    private static Mat[] FromStaticVideo(Random random, FootageSource scene, int frames)
    {
        var stride = scene.Frames.Count >= 2 * frames && random.Next(2) == 0 ? 2 : 1;
        var span = ((frames - 1) * stride) + 1;
        var start = random.Next(Math.Max(1, scene.Frames.Count - span + 1));
        var first = scene.Frames[0];
        var fraction = Uniform(random, 0.6, 1.0);
        var width = (int)(first.Width * fraction);
        var height = (int)(first.Height * Uniform(random, Math.Max(0.6, fraction - 0.2), Math.Min(1.0, fraction + 0.2)));
        var crop = new Rect(random.Next(first.Width - width + 1), random.Next(first.Height - height + 1), width, height);
        var look = Look.Draw(random);
        var result = new Mat[frames];
        using var view = new Mat();
        for (var t = 0; t < frames; t++)
        {
            var picture = scene.Frames[Math.Min(scene.Frames.Count - 1, start + (t * stride))];
            using var part = new Mat(picture, crop);
            Cv2.Resize(part, view, new Size(Render, Render), 0, 0, InterpolationFlags.Area);
            result[t] = look.Finish(view, random, t);
        }
        return result;
    }

    private static List<MovingObject> Objects(Random random, int count, IReadOnlyList<FootageSource> others, int frames, double maxArea)
    {
        var result = new List<MovingObject>();
        var area = 0.0;
        for (var i = 0; i < count; i++)
        {
            var person = random.Next(3) > 0;
            var height = Uniform(random, 0.12, 0.4) * Render;
            var width = height * (person ? Uniform(random, 0.3, 0.55) : Uniform(random, 0.6, 1.4));
            if (area + (width * height) > maxArea * Render * Render)
            {
                break;
            }
            area += width * height;
            var texture = others[random.Next(others.Count)].Frames[0];
            result.Add(MovingObject.Draw(random, texture, person, width, height, frames));
        }
        return result;
    }

    private static double Uniform(Random random, double low, double high) => low + (random.NextDouble() * (high - low));

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>A patch of another picture, shaped like a person (head and body) or a blob, crossing the view on its own.</summary>
    private sealed class MovingObject : IDisposable
    {
        private readonly Mat _sprite;
        private readonly Mat _mask;
        private readonly Point2d _start;
        private readonly Point2d _velocity;
        private readonly double _growth;
        private readonly double _sway;

        private MovingObject(Mat sprite, Mat mask, Point2d start, Point2d velocity, double growth, double sway)
        {
            _sprite = sprite;
            _mask = mask;
            _start = start;
            _velocity = velocity;
            _growth = growth;
            _sway = sway;
        }

        public static MovingObject Draw(Random random, Mat texture, bool person, double width, double height, int frames)
        {
            var w = Math.Max(4, (int)width);
            var h = Math.Max(4, (int)height);
            var sprite = new Mat();
            var x = random.Next(Math.Max(1, texture.Width - w));
            var y = random.Next(Math.Max(1, texture.Height - h));
            using (var patch = new Mat(texture, new Rect(x, y, Math.Min(w, texture.Width), Math.Min(h, texture.Height))))
            {
                Cv2.Resize(patch, sprite, new Size(w, h));
            }
            // Contrast with the scene: shift the patch's brightness up or down.
            sprite.ConvertTo(sprite, MatType.CV_8U, Uniform(random, 0.6, 1.2), random.Next(2) == 0 ? Uniform(random, -60, -20) : Uniform(random, 20, 60));
            var mask = new Mat(h, w, MatType.CV_8UC1, Scalar.All(0));
            if (person)
            {
                var head = Math.Max(2, (int)(w * 0.3));
                Cv2.Circle(mask, new Point(w / 2, head), head, Scalar.All(255), -1, LineTypes.AntiAlias);
                Cv2.Ellipse(mask, new RotatedRect(new Point2f(w / 2f, head * 2 + ((h - (head * 2)) / 2f)), new Size2f(w * 0.9f, h - (head * 2)), 0), Scalar.All(255), -1, LineTypes.AntiAlias);
            }
            else
            {
                Cv2.Ellipse(mask, new RotatedRect(new Point2f(w / 2f, h / 2f), new Size2f(w * 0.95f, h * 0.95f), (float)Uniform(random, 0, 180)), Scalar.All(255), -1, LineTypes.AntiAlias);
            }
            // People walk mostly sideways; blobs go anywhere. Speeds in pixels of the rendered view per frame.
            var speed = Uniform(random, 0.6, 5.0);
            var angle = person ? (random.Next(2) == 0 ? 0 : Math.PI) + Uniform(random, -0.5, 0.5) : Uniform(random, 0, 2 * Math.PI);
            var velocity = new Point2d(Math.Cos(angle) * speed, Math.Sin(angle) * speed);
            var middle = new Point2d(Uniform(random, 0.1, 0.9) * Render, Uniform(random, 0.15, 0.85) * Render);
            var half = (frames - 1) / 2.0;
            var start = new Point2d(middle.X - (velocity.X * half), middle.Y - (velocity.Y * half));
            var growth = random.Next(4) == 0 ? Uniform(random, 0.98, 1.025) : 1;
            return new MovingObject(sprite, mask, start, velocity, growth, person ? Uniform(random, 0, 0.08) : 0);
        }

        public void DrawOn(Mat view, int t)
        {
            var scale = Math.Pow(_growth, t);
            var center = new Point2d(_start.X + (_velocity.X * t), _start.Y + (_velocity.Y * t));
            // A walking gait: the figure's width breathes a little from frame to frame.
            var sx = scale * (1 + (_sway * Math.Sin(t * 1.3)));
            var m = Mat.FromPixelData(2, 3, MatType.CV_64F, new[] { sx, 0, center.X - (sx * _sprite.Width / 2.0), 0, scale, center.Y - (scale * _sprite.Height / 2.0) });
            using var placed = new Mat();
            using var alpha = new Mat();
            Cv2.WarpAffine(_sprite, placed, m, view.Size(), InterpolationFlags.Linear, BorderTypes.Constant);
            Cv2.WarpAffine(_mask, alpha, m, view.Size(), InterpolationFlags.Linear, BorderTypes.Constant);
            m.Dispose();
            placed.CopyTo(view, alpha);
        }

        public void Dispose()
        {
            _sprite.Dispose();
            _mask.Dispose();
        }
    }

    /// <summary>What the camera and the transport do to every frame: flicker, noise, JPEG compression, then the shrink to 64².</summary>
    private sealed record Look(double FlickerAmplitude, double FlickerRate, double Phase, double Noise, int JpegQuality)
    {
        public static Look Draw(Random random) => new(
            random.Next(2) == 0 ? Uniform(random, 0.02, 0.08) : 0,
            Uniform(random, 0.3, 2.5),
            Uniform(random, 0, 2 * Math.PI),
            random.Next(3) > 0 ? Uniform(random, 0.5, 4) : 0,
            random.Next(5) < 3 ? random.Next(30, 96) : 0);

        public Mat Finish(Mat view, Random random, int t)
        {
            var small = new Mat();
            Cv2.Resize(view, small, new Size(Side, Side), 0, 0, InterpolationFlags.Area);
            var gain = 1 + (FlickerAmplitude * Math.Sin((FlickerRate * t) + Phase));
            if (gain != 1 || Noise > 0)
            {
                using var noisy = new Mat();
                small.ConvertTo(noisy, MatType.CV_32F, gain);
                if (Noise > 0)
                {
                    // Drawn from the clip's own generator (not OpenCV's per-thread one) so a seed gives one clip.
                    var values = new float[Side * Side];
                    for (var i = 0; i < values.Length; i++)
                    {
                        values[i] = (float)(Gaussian(random) * Noise);
                    }
                    using var noise = Mat.FromPixelData(Side, Side, MatType.CV_32F, values);
                    Cv2.Add(noisy, noise, noisy);
                }
                noisy.ConvertTo(small, MatType.CV_8U);
            }
            if (JpegQuality > 0)
            {
                Cv2.ImEncode(".jpg", small, out var bytes, new ImageEncodingParam(ImwriteFlags.JpegQuality, JpegQuality));
                using var decoded = Cv2.ImDecode(bytes, ImreadModes.Grayscale);
                decoded.CopyTo(small);
            }
            return small;
        }
    }
}
