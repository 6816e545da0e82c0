using System.Collections.Concurrent;
using StreamSeq.Pipelines;
using StreamSeq.Registry;
using StreamSeq.Runtime;

namespace StreamSeq.Audio.Tests.Support;

public sealed class GrabOptions
{
    public string Name { get; init; } = "default";
}

/// <summary>Collects every payload with its originating time under a name.</summary>
[Stage("test.grab")]
public sealed class GrabSink(GrabOptions options) : SinkStage<object>
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<(object Payload, DateTime Time)>> Items = new();

    public static ConcurrentQueue<(object Payload, DateTime Time)> Of(string name) => Items.GetOrAdd(name, _ => new());

    public override ValueTask ConsumeAsync(Packet<object> input, CancellationToken cancellationToken)
    {
        Of(options.Name).Enqueue((input.Payload, input.OriginatingTime));
        return ValueTask.CompletedTask;
    }
}

/// <summary>Validates and runs pipelines with the audio stages and the test sink registered.</summary>
public static class AudioPipelines
{
    public static StageRegistry Registry()
    {
        var registry = StageRegistry.CreateDefault();
        registry.AddAssembly(typeof(AudioChunk).Assembly, "built-in");
        registry.AddAssembly(typeof(AudioPipelines).Assembly, "tests");
        return registry;
    }

    public static PipelinePlan Plan(string json)
    {
        var diagnostics = new List<PipelineDiagnostic>();
        var plan = PipelineLoader.TryLoad(System.Text.Encoding.UTF8.GetBytes(json), "test.json", Registry(), diagnostics, baseDirectory: Path.GetTempPath());
        Assert.True(plan is not null, string.Join(Environment.NewLine, diagnostics));
        return plan!;
    }

    public static List<PipelineDiagnostic> Diagnose(string json)
    {
        var diagnostics = new List<PipelineDiagnostic>();
        PipelineLoader.TryLoad(System.Text.Encoding.UTF8.GetBytes(json), "test.json", Registry(), diagnostics, baseDirectory: Path.GetTempPath());
        return diagnostics;
    }

    public static Task<PipelineResult> RunToEnd(string json)
        => PipelineRun.Start(Plan(json)).Completion.WaitAsync(TimeSpan.FromSeconds(60));

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public static string Quote(string value) => System.Text.Json.JsonSerializer.Serialize(value);
}
