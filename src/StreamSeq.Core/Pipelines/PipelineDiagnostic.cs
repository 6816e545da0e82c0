using StreamSeq.Json;

namespace StreamSeq.Pipelines;

/// <summary>One problem found in a pipeline file, printed as <c>file:line:col: stage 'id': message</c>.</summary>
public sealed record PipelineDiagnostic(SourceLocation Location, string? StageId, string Message)
{
    /// <inheritdoc />
    public override string ToString()
        => StageId is null ? $"{Location}: {Message}" : $"{Location}: stage '{StageId}': {Message}";
}

/// <summary>Raised when a pipeline does not validate; carries every problem found.</summary>
public sealed class PipelineValidationException : Exception
{
    public PipelineValidationException(IReadOnlyList<PipelineDiagnostic> diagnostics)
        : base(string.Join(Environment.NewLine, diagnostics)) => Diagnostics = diagnostics;

    public IReadOnlyList<PipelineDiagnostic> Diagnostics { get; }
}
