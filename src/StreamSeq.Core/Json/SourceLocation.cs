namespace StreamSeq.Json;

/// <summary>A place in a pipeline file: 1-based line and column (in characters).</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    /// <summary>A location outside any file, such as a <c>--set</c> override.</summary>
    public static SourceLocation Synthetic(string origin) => new(origin, 0, 0);

    /// <inheritdoc />
    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}" : File;
}
