namespace StreamSeq.Plugins.Text;

/// <summary>
/// What <c>text.regex</c> emits for a line: the line, whether the pattern matched, the matched text and the
/// pattern's groups by name. Sinks serialise it as <c>{"line":…,"matched":…,"value":…,"groups":{…}}</c>.
/// </summary>
/// <param name="Line">The input line, unchanged.</param>
/// <param name="Matched">False only for lines emitted by <c>onNoMatch: emit</c>.</param>
/// <param name="Value">The text the pattern matched; null when it did not match.</param>
/// <param name="Groups">The kept groups by name, in pattern order; null for a group that took no part in the match.</param>
public sealed record RegexMatch(string Line, bool Matched, string? Value, IReadOnlyDictionary<string, string?> Groups)
{
    private static readonly IReadOnlyDictionary<string, string?> NoGroups = new Dictionary<string, string?>(0);

    /// <summary>The record of a line the pattern did not match.</summary>
    public static RegexMatch NoMatch(string line) => new(line, false, null, NoGroups);
}
