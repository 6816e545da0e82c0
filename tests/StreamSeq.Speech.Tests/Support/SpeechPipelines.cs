using System.Collections.Concurrent;
using StreamSeq.Pipelines;
using StreamSeq.Registry;
using StreamSeq.Runtime;

namespace StreamSeq.Speech.Tests.Support;

public sealed class TranscriptGrabOptions
{
    public string Name { get; init; } = "default";
}

/// <summary>Collects transcripts under a name.</summary>
[Stage("test.transcripts")]
public sealed class TranscriptGrab(TranscriptGrabOptions options) : SinkStage<Transcript>
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<Transcript>> Items = new();

    public static ConcurrentQueue<Transcript> Of(string name) => Items.GetOrAdd(name, _ => new());

    public override ValueTask ConsumeAsync(Packet<Transcript> input, CancellationToken cancellationToken)
    {
        Of(options.Name).Enqueue(input.Payload);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Loads and runs pipelines with the audio and speech stages and the test sink.</summary>
public static class SpeechPipelines
{
    public static StageRegistry Registry()
    {
        var registry = StageRegistry.CreateDefault();
        registry.AddAssembly(typeof(Audio.AudioChunk).Assembly, "built-in");
        registry.AddAssembly(typeof(Transcript).Assembly, "built-in");
        registry.AddAssembly(typeof(SpeechPipelines).Assembly, "tests");
        return registry;
    }

    public static List<PipelineDiagnostic> Diagnose(string json)
    {
        var diagnostics = new List<PipelineDiagnostic>();
        PipelineLoader.TryLoad(System.Text.Encoding.UTF8.GetBytes(json), "test.json", Registry(), diagnostics, baseDirectory: Repo.Root);
        return diagnostics;
    }

    public static Task<PipelineResult> RunToEnd(string json)
    {
        var diagnostics = new List<PipelineDiagnostic>();
        var plan = PipelineLoader.TryLoad(System.Text.Encoding.UTF8.GetBytes(json), "test.json", Registry(), diagnostics, baseDirectory: Repo.Root);
        Assert.True(plan is not null, string.Join(Environment.NewLine, diagnostics));
        return PipelineRun.Start(plan!).Completion.WaitAsync(TimeSpan.FromSeconds(120));
    }
}

/// <summary>The repository root and its committed files.</summary>
public static class Repo
{
    public static string Root { get; } = Find();

    public static string Model => Path.Combine(Root, "models", "speech");

    public static string Sample => Path.Combine(Root, "samples", "digits-4271.wav");

    private static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "StreamSeq.sln")))
            {
                return d.FullName;
            }
        }
        throw new InvalidOperationException("StreamSeq.sln not found above " + AppContext.BaseDirectory);
    }
}
