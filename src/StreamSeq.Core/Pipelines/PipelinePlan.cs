using StreamSeq.Registry;

namespace StreamSeq.Pipelines;

/// <summary>A validated pipeline: every stage resolved, typed and bound, in topological order.</summary>
public sealed class PipelinePlan
{
    public required string Name { get; init; }

    public required string FilePath { get; init; }

    /// <summary>The directory relative paths in options resolve against.</summary>
    public required string BaseDirectory { get; init; }

    /// <summary>Stages in an order where every stage follows its inputs.</summary>
    public required IReadOnlyList<PlannedStage> Stages { get; init; }
}

/// <summary>One stage of a plan.</summary>
public sealed class PlannedStage
{
    public required StageDefinition Definition { get; init; }

    public required ClosedStage Closed { get; init; }

    /// <summary>The bound options instance (shared by restarts: options are immutable configuration).</summary>
    public object? Options { get; init; }

    public List<PlannedInput> Inputs { get; } = [];

    public List<PlannedStage> Consumers { get; } = [];

    public string Id => Definition.Id;

    public StageDescriptor Descriptor => Closed.Descriptor;

    /// <summary>Creates a fresh stage instance (at start and at each restart).</summary>
    public Stage CreateInstance() => Closed.Create(Options);
}

/// <summary>An input port wired to its upstream stage.</summary>
public sealed record PlannedInput(string Port, PlannedStage Upstream);
