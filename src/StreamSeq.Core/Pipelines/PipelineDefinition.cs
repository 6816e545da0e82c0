using StreamSeq.Json;

namespace StreamSeq.Pipelines;

/// <summary>A pipeline file as written: stages, wiring and policies, each with its place in the file.</summary>
public sealed class PipelineDefinition
{
    public required string Name { get; init; }

    public required string FilePath { get; init; }

    public required SourceLocation Location { get; init; }

    public required IReadOnlyList<StageDefinition> Stages { get; init; }
}

/// <summary>A reference from a stage to the stage feeding one of its input ports.</summary>
public sealed record InputReference(string Port, string Upstream, SourceLocation Location);

/// <summary>One entry of <c>stages</c>.</summary>
public sealed class StageDefinition
{
    public required string Id { get; init; }

    public required SourceLocation Location { get; init; }

    public required string Type { get; init; }

    public required SourceLocation TypeLocation { get; init; }

    public required IReadOnlyList<InputReference> Inputs { get; init; }

    /// <summary>Whether inputs were given as <c>"inputs"</c> (a list or an object) rather than <c>"input"</c>.</summary>
    public bool ManyInputsSyntax { get; init; }

    public LocatedObject? Options { get; set; }

    public int Capacity { get; set; }

    public FullMode Full { get; set; }

    public ErrorPolicy OnError { get; set; }

    public RestartPolicy Restart { get; set; } = RestartPolicy.Default;

    public int Parallelism { get; set; } = 1;

    /// <summary>Where each stage-level setting was written, for messages about it.</summary>
    public Dictionary<string, SourceLocation> SettingLocations { get; } = new(StringComparer.Ordinal);
}
