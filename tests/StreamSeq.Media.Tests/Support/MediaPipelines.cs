using System.Collections.Concurrent;
using System.Text;
using OpenCvSharp;
using StreamSeq.Pipelines;
using StreamSeq.Registry;
using StreamSeq.Runtime;

namespace StreamSeq.Media.Tests.Support;

/// <summary>What a collecting sink remembers of a payload: never the payload itself, which is freed after the sink returns.</summary>
public sealed record Seen(string Type, long Index, double MediaSeconds, int Width, int Height, int Channels, FlowStatistics? Flow, IReadOnlyList<long> Members, DateTime OriginatingTime);

public sealed class CollectOptions
{
    public string Name { get; init; } = "collect";
}

/// <summary>Records a summary of every packet it receives under its name.</summary>
[Stage("test.collect")]
public sealed class CollectSink<T> : SinkStage<T>
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<Seen>> Collected = new();
    private readonly CollectOptions _options;

    public CollectSink(CollectOptions options) => _options = options;

    public static IReadOnlyList<Seen> Of(string name) => [.. Collected.GetOrAdd(name, _ => new())];

    public override ValueTask ConsumeAsync(Packet<T> input, CancellationToken cancellationToken)
    {
        Record(input);
        return ValueTask.CompletedTask;
    }

    private void Record(Packet<T> input)
    {
        Seen seen = input.Payload switch
        {
            VideoFrame frame => new(frame.GetType().Name, frame.Index, frame.MediaTime.TotalSeconds, frame.Width, frame.Height, frame.Channels,
                (frame as FlowFrame)?.Statistics, [], input.OriginatingTime),
            Window<FlowFrame> window => new("window", window.Count, window.Packets[0].Payload.MediaTime.TotalSeconds, 0, 0, 0, null,
                window.Items.Select(f => f.Index).ToList(), input.OriginatingTime),
            _ => new(input.Payload?.GetType().Name ?? "null", input.Sequence, 0, 0, 0, 0, null, [], input.OriginatingTime),
        };
        Collected.GetOrAdd(_options.Name, _ => new()).Enqueue(seen);
    }
}

/// <summary>Validates and runs pipelines made of core, media and test stages.</summary>
public static class MediaPipelines
{
    public static StageRegistry Registry()
    {
        var registry = StageRegistry.CreateDefault();
        registry.AddAssembly(typeof(VideoFrame).Assembly, "built-in");
        registry.AddAssembly(typeof(MediaPipelines).Assembly, "tests");
        return registry;
    }

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public static PipelinePlan Plan(string json)
    {
        var diagnostics = new List<PipelineDiagnostic>();
        var plan = PipelineLoader.TryLoad(Encoding.UTF8.GetBytes(json), "test.json", Registry(), diagnostics, baseDirectory: Path.GetTempPath());
        Assert.True(plan is not null, string.Join(Environment.NewLine, diagnostics));
        return plan!;
    }

    public static List<PipelineDiagnostic> Diagnose(string json)
    {
        var diagnostics = new List<PipelineDiagnostic>();
        PipelineLoader.TryLoad(Encoding.UTF8.GetBytes(json), "test.json", Registry(), diagnostics, baseDirectory: Path.GetTempPath());
        return diagnostics;
    }

    /// <summary>Runs a pipeline to its end; one that outlives <paramref name="timeout"/> (default 60 s) fails the test.</summary>
    public static Task<PipelineResult> RunToEnd(string json, TimeSpan? timeout = null)
        => PipelineRun.Start(Plan(json)).Completion.WaitAsync(timeout ?? TimeSpan.FromSeconds(60));

    public static string Describe(PipelineResult result)
        => string.Join(Environment.NewLine, result.Failures.Select(f => $"{f.StageId}: {f.Error}"));
}

/// <summary>Temporary media for tests: a textured clip written with OpenCV, image folders.</summary>
public sealed class MediaFiles : IDisposable
{
    public MediaFiles() => Directory.CreateDirectory(Root);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "streamseq-media-" + Guid.NewGuid().ToString("N"));

    public string this[string name] => Path.Combine(Root, name);

    /// <summary>A textured pattern that moves <paramref name="dx"/>, <paramref name="dy"/> pixels per frame.</summary>
    public static Mat MovingTexture(int width, int height, int t, double dx, double dy, int seed = 7)
    {
        using var texture = Texture(width * 4, height * 4, seed);
        // Wraps around the texture (four frames wide) so clips can be longer than it: a jump every 3 widths.
        var x = Wrap((int)Math.Round((width * 1.5) - (dx * t)), width * 3);
        var y = Wrap((int)Math.Round((height * 1.5) - (dy * t)), height * 3);
        using var view = new Mat(texture, new Rect(x, y, width, height));
        return view.Clone();
    }

    private static int Wrap(int value, int range) => ((value % range) + range) % range;

    /// <summary>A smooth random gray texture (BGR), good for optical flow.</summary>
    public static Mat Texture(int width, int height, int seed)
    {
        var random = new Random(seed);
        using var small = new Mat(height / 8, width / 8, MatType.CV_8UC1);
        var rows = small.Rows;
        var cols = small.Cols;
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < cols; c++)
            {
                small.Set(r, c, (byte)random.Next(256));
            }
        }
        using var gray = new Mat();
        Cv2.Resize(small, gray, new Size(width, height), 0, 0, InterpolationFlags.Cubic);
        var bgr = new Mat();
        Cv2.CvtColor(gray, bgr, ColorConversionCodes.GRAY2BGR);
        return bgr;
    }

    /// <summary>Writes a clip of a texture moving right by 2 px per frame.</summary>
    public string WriteClip(string name, int frames, int width = 96, int height = 64, double fps = 25, string codec = "MJPG")
    {
        var path = this[name];
        using var writer = new VideoWriter(path, FourCC.FromString(codec), fps, new Size(width, height), true);
        Assert.True(writer.IsOpened(), $"cannot write {path}");
        for (var t = 0; t < frames; t++)
        {
            using var frame = MovingTexture(width, height, t, 2, 0);
            writer.Write(frame);
        }
        return path;
    }

    public string WriteImages(string folder, int count, string extension = ".png")
    {
        var path = this[folder];
        Directory.CreateDirectory(path);
        for (var i = 0; i < count; i++)
        {
            using var image = MovingTexture(48, 32, i, 1, 0);
            Cv2.ImWrite(Path.Combine(path, $"frame{i:000}{extension}"), image);
        }
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
