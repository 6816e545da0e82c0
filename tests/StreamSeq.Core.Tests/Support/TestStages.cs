using System.Collections.Concurrent;
using System.ComponentModel;
using StreamSeq.Pipelines;
using StreamSeq.Registry;

namespace StreamSeq.Core.Tests.Support;

/// <summary>A native-like payload whose live instances are counted, to prove every path disposes.</summary>
public sealed class TrackedResource : IDisposable
{
    private static readonly ConcurrentDictionary<string, int> LiveByTag = new();
    private int _disposed;

    public TrackedResource(string tag, long value)
    {
        Tag = tag;
        Value = value;
        LiveByTag.AddOrUpdate(tag, 1, (_, n) => n + 1);
    }

    public string Tag { get; }

    public long Value { get; }

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    public int DisposeCount => Volatile.Read(ref _disposed);

    private static readonly ConcurrentDictionary<string, int> DoubleDisposals = new();

    public static int Live(string tag) => LiveByTag.GetValueOrDefault(tag);

    /// <summary>Waits for a run to end, watching how many payloads of <paramref name="tag"/> were alive at most.</summary>
    public static async Task<(StreamSeq.Runtime.PipelineResult Result, int PeakLive)> WatchPeakAsync(StreamSeq.Runtime.PipelineRun run, string tag)
    {
        var peak = 0;
        while (!run.Completion.IsCompleted)
        {
            peak = Math.Max(peak, Live(tag));
            await Task.Delay(1);
        }
        return (await run.Completion, Math.Max(peak, Live(tag)));
    }

    /// <summary>Every payload of <paramref name="tag"/> was disposed, and none twice.</summary>
    public static void AssertAllReleased(string tag)
    {
        Assert.Equal(0, DoubleDisposals.GetValueOrDefault(tag));
        Assert.Equal(0, Live(tag));
    }

    public void Dispose()
    {
        if (Interlocked.Increment(ref _disposed) == 1)
        {
            LiveByTag.AddOrUpdate(Tag, 0, (_, n) => n - 1);
        }
        else
        {
            // Recorded as well as thrown: the engine reports a throwing Dispose instead of propagating it.
            DoubleDisposals.AddOrUpdate(Tag, 1, (_, n) => n + 1);
            throw new InvalidOperationException($"{Tag}#{Value} disposed twice");
        }
    }

    public override string ToString() => $"{Tag}#{Value}";
}

/// <summary>Where test sinks put what they receive, by name (each test uses its own name).</summary>
public static class Collected
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<object?>> Items = new();

    public static ConcurrentQueue<object?> Of(string name) => Items.GetOrAdd(name, _ => new ConcurrentQueue<object?>());
}

public sealed class ResourceSourceOptions
{
    public string Tag { get; init; } = "r";

    public int Count { get; init; } = 10;

    [Description("Milliseconds between packets")]
    public int DelayMs { get; init; }

    /// <summary>Keep emitting until cancelled, ignoring Count.</summary>
    public bool Endless { get; init; }
}

/// <summary>Emits tracked disposable payloads with originating times 1 ms apart.</summary>
[Stage("test.resources")]
public sealed class ResourceSource : SourceStage<TrackedResource>
{
    private readonly ResourceSourceOptions _options;

    public ResourceSource(ResourceSourceOptions options) => _options = options;

    public override async Task RunAsync(Emitter<TrackedResource> output, CancellationToken cancellationToken)
    {
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; _options.Endless || i < _options.Count; i++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            if (_options.DelayMs > 0)
            {
                await Task.Delay(_options.DelayMs, cancellationToken);
            }
            await output.EmitAsync(new TrackedResource(_options.Tag, i), start.AddMilliseconds(i), null, cancellationToken);
        }
    }
}

public sealed class CollectOptions
{
    public string Name { get; init; } = "default";

    /// <summary>Milliseconds to spend per packet (a slow sink).</summary>
    public int DelayMs { get; init; }

    /// <summary>Values (by long value or double) on which the sink throws.</summary>
    public long[] FailOn { get; init; } = [];
}

/// <summary>Collects payloads (as their value) into <see cref="Collected"/>.</summary>
[Stage("test.collect")]
public sealed class CollectSink : SinkStage<object>
{
    private readonly CollectOptions _options;

    public CollectSink(CollectOptions options) => _options = options;

    public override async ValueTask ConsumeAsync(Packet<object> input, CancellationToken cancellationToken)
    {
        if (_options.DelayMs > 0)
        {
            await Task.Delay(_options.DelayMs, cancellationToken);
        }
        var value = input.Payload switch
        {
            TrackedResource resource => resource.Value,
            double d => (long)d,
            _ => (object?)null,
        };
        var stored = input.Payload switch
        {
            TrackedResource r => (object)r.Value,
            var other => other,
        };
        if (value is long v && _options.FailOn.Contains(v))
        {
            throw new InvalidOperationException($"sink refuses {v}");
        }
        Collected.Of(_options.Name).Enqueue(stored);
    }
}

public sealed class FailOptions
{
    /// <summary>Values on which the transform throws.</summary>
    public long[] FailOn { get; init; } = [];

    /// <summary>Throw on every packet (a stage that cannot work).</summary>
    public bool Always { get; init; }

    /// <summary>Milliseconds of work per packet, for parallelism tests.</summary>
    public int WorkMs { get; init; }

    /// <summary>Fail in StartAsync.</summary>
    public bool FailStart { get; init; }

    /// <summary>Fail in StartAsync as a missing input file would (a user's problem, not a defect).</summary>
    public string? MissingFile { get; init; }
}

/// <summary>A stateless map over doubles that fails on chosen values; counts instances created.</summary>
[Stage("test.fail", Stateless = true)]
public sealed class FailingMap : MapStage<double, double>
{
    private static int _instances;
    private readonly FailOptions _options;

    public FailingMap(FailOptions options)
    {
        _options = options;
        Interlocked.Increment(ref _instances);
    }

    public static int Instances => Volatile.Read(ref _instances);

    public override ValueTask StartAsync(StageContext context, CancellationToken cancellationToken)
        => _options.MissingFile is { } missing ? throw new FileNotFoundException($"video file '{missing}' does not exist", missing)
            : _options.FailStart ? throw new InvalidOperationException("cannot start") : ValueTask.CompletedTask;

    public override double Map(in Packet<double> input)
    {
        if (_options.WorkMs > 0)
        {
            Thread.Sleep(Random.Shared.Next(0, _options.WorkMs * 2));
        }
        if (_options.Always || _options.FailOn.Contains((long)input.Payload))
        {
            throw new InvalidOperationException($"cannot map {input.Payload}");
        }
        return input.Payload;
    }
}

/// <summary>A transform that never returns until aborted and ignores the token: stop must not hang on it.</summary>
[Stage("test.stuck")]
public sealed class StuckTransform : TransformStage<double, double>
{
    public override async ValueTask ProcessAsync(Packet<double> input, Emitter<double> output, CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
    }
}

/// <summary>Builds and runs pipelines from JSON text with the test stages registered.</summary>
public static class Pipelines
{
    public static StageRegistry Registry()
    {
        var registry = StageRegistry.CreateDefault();
        registry.AddAssembly(typeof(Pipelines).Assembly, "tests");
        return registry;
    }

    public static PipelinePlan Plan(string json, string file = "test.json")
    {
        var diagnostics = new List<PipelineDiagnostic>();
        var plan = PipelineLoader.TryLoad(System.Text.Encoding.UTF8.GetBytes(json), file, Registry(), diagnostics, baseDirectory: Path.GetTempPath());
        Assert.True(plan is not null, string.Join(Environment.NewLine, diagnostics));
        return plan!;
    }

    public static List<PipelineDiagnostic> Diagnose(string json, string file = "test.json", IReadOnlyList<PipelineOverride>? overrides = null)
    {
        var diagnostics = new List<PipelineDiagnostic>();
        PipelineLoader.TryLoad(System.Text.Encoding.UTF8.GetBytes(json), file, Registry(), diagnostics, overrides, Path.GetTempPath());
        return diagnostics;
    }

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>Validates and runs a pipeline to its end; a run that outlives 30 s fails the test.</summary>
    public static Task<StreamSeq.Runtime.PipelineResult> RunToEnd(string json, StreamSeq.Runtime.PipelineRunOptions? options = null)
        => RunToEnd(Plan(json), options);

    public static Task<StreamSeq.Runtime.PipelineResult> RunToEnd(PipelinePlan plan, StreamSeq.Runtime.PipelineRunOptions? options = null)
        => StreamSeq.Runtime.PipelineRun.Start(plan, options).Completion.WaitAsync(TimeSpan.FromSeconds(30));
}

public sealed class AckedSourceOptions
{
    public string Name { get; init; } = "acks";

    public int Count { get; init; } = 10;
}

/// <summary>A durable-like source: every packet carries an acknowledgement whose outcome is recorded.</summary>
[Stage("test.acked")]
public sealed class AckedSource : SourceStage<double>
{
    private static readonly ConcurrentDictionary<string, ConcurrentDictionary<long, AckOutcome>> Outcomes = new();
    private readonly AckedSourceOptions _options;

    public AckedSource(AckedSourceOptions options) => _options = options;

    public static ConcurrentDictionary<long, AckOutcome> Of(string name) => Outcomes.GetOrAdd(name, _ => new());

    public override async Task RunAsync(Emitter<double> output, CancellationToken cancellationToken)
    {
        var outcomes = Of(_options.Name);
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < _options.Count; i++)
        {
            var sequence = i;
            var ack = new AckToken(outcome => Assert.True(outcomes.TryAdd(sequence, outcome), $"ack {sequence} settled twice"));
            await output.EmitAsync(i, start.AddMilliseconds(i), ack, cancellationToken);
        }
    }
}

/// <summary>Counts stage instances started and stopped, per name: every started instance must stop exactly once.</summary>
public static class Lifecycle
{
    private static readonly ConcurrentDictionary<string, (int Started, int Stopped)> Counts = new();

    public static (int Started, int Stopped) Of(string name) => Counts.GetValueOrDefault(name);

    internal static void Started(string name) => Counts.AddOrUpdate(name, (1, 0), (_, c) => (c.Started + 1, c.Stopped));

    internal static void Stopped(string name) => Counts.AddOrUpdate(name, (0, 1), (_, c) => (c.Started, c.Stopped + 1));
}

public sealed class TrackedOptions
{
    public string Name { get; init; } = "tracked";

    public long[] FailOn { get; init; } = [];
}

/// <summary>A transform that records its lifecycle and fails on chosen values; a second stop is an error.</summary>
[Stage("test.tracked")]
public sealed class TrackedTransform : TransformStage<double, double>
{
    private readonly TrackedOptions _options;
    private int _state; // 0 new, 1 started, 2 stopped

    public TrackedTransform(TrackedOptions options) => _options = options;

    public override ValueTask StartAsync(StageContext context, CancellationToken cancellationToken)
    {
        Assert.Equal(0, Interlocked.Exchange(ref _state, 1));
        Lifecycle.Started(_options.Name);
        return ValueTask.CompletedTask;
    }

    public override ValueTask ProcessAsync(Packet<double> input, Emitter<double> output, CancellationToken cancellationToken)
    {
        Assert.Equal(1, Volatile.Read(ref _state));
        if (_options.FailOn.Contains((long)input.Payload))
        {
            throw new InvalidOperationException($"refusing {input.Payload}");
        }
        return output.EmitAsync(input.Payload, cancellationToken);
    }

    public override ValueTask StopAsync()
    {
        Assert.Equal(1, Interlocked.Exchange(ref _state, 2));
        Lifecycle.Stopped(_options.Name);
        return ValueTask.CompletedTask;
    }
}

public sealed class FragileOptions
{
    public string Name { get; init; } = "fragile";

    public long[] FailOn { get; init; } = [];
}

/// <summary>A stateless map that must never be called after it was stopped (a disposed model would crash).</summary>
[Stage("test.fragile", Stateless = true)]
public sealed class FragileMap : MapStage<double, double>
{
    private static readonly ConcurrentDictionary<string, int> Violations = new();
    private readonly FragileOptions _options;
    private volatile bool _stopped;

    public FragileMap(FragileOptions options) => _options = options;

    public static int ViolationsOf(string name) => Violations.GetValueOrDefault(name);

    public override ValueTask StartAsync(StageContext context, CancellationToken cancellationToken)
    {
        Lifecycle.Started(_options.Name);
        return ValueTask.CompletedTask;
    }

    public override double Map(in Packet<double> input)
    {
        Thread.Sleep(1);
        if (_stopped)
        {
            Violations.AddOrUpdate(_options.Name, 1, (_, n) => n + 1);
        }
        if (_options.FailOn.Contains((long)input.Payload))
        {
            throw new InvalidOperationException($"refusing {input.Payload}");
        }
        return input.Payload;
    }

    public override ValueTask StopAsync()
    {
        _stopped = true;
        Lifecycle.Stopped(_options.Name);
        return ValueTask.CompletedTask;
    }
}

public sealed class RxTestOptions
{
    public long ThrowOn { get; init; } = -1;

    public int DelayMs { get; init; }
}

/// <summary>An Rx stage that throws out of OnNext on one value (no OnError) and can delay its output.</summary>
[Stage("test.rx")]
public sealed class RxTestStage : RxStage<double, double>
{
    private readonly RxTestOptions _options;

    public RxTestStage(RxTestOptions options) => _options = options;

    public override IObservable<Packet<double>> Build(IReadOnlyList<IObservable<Packet<double>>> inputs, System.Reactive.Concurrency.IScheduler scheduler)
    {
        var checkedInput = System.Reactive.Linq.Observable.Create<Packet<double>>(observer => inputs[0].Subscribe(
            p =>
            {
                if ((long)p.Payload == _options.ThrowOn)
                {
                    throw new InvalidOperationException("operator bug");
                }
                observer.OnNext(p.Retain());
            },
            observer.OnError,
            observer.OnCompleted));
        return _options.DelayMs > 0
            ? System.Reactive.Linq.Observable.Delay(checkedInput, TimeSpan.FromMilliseconds(_options.DelayMs), System.Reactive.Concurrency.TaskPoolScheduler.Default)
            : checkedInput;
    }
}
