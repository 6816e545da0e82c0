namespace StreamSeq;

/// <summary>Declares a class as a pipeline stage with the type name used in pipeline files.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class StageAttribute : Attribute
{
    /// <summary>Declares a stage.</summary>
    /// <param name="type">The <c>type</c> value in pipeline files, dotted lower case (<c>video.opticalflow</c>).</param>
    public StageAttribute(string type)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        Type = type;
    }

    /// <summary>The <c>type</c> value in pipeline files.</summary>
    public string Type { get; }

    /// <summary>One sentence for the catalog and the schema.</summary>
    public string Description { get; init; } = "";

    /// <summary>
    /// Whether the stage keeps no state between packets and is safe to call from several threads at once,
    /// so a pipeline may set <c>parallelism</c> above 1 (only for <see cref="MapStage{TIn,TOut}"/>).
    /// </summary>
    public bool Stateless { get; init; }

    /// <summary>Whether the stage takes any number of inputs (<c>"inputs": [..]</c>) rather than one.</summary>
    public bool ManyInputs { get; init; }
}
