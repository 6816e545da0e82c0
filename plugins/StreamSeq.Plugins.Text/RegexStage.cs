using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.RegularExpressions;

namespace StreamSeq.Plugins.Text;

/// <summary>What <c>text.regex</c> emits for a line the pattern matches.</summary>
public enum RegexMode
{
    /// <summary>One record per matching line, from the first match in it.</summary>
    Filter,

    /// <summary>One record per match: every occurrence of the pattern in the line.</summary>
    Extract,
}

/// <summary>What <c>text.regex</c> does with a line the pattern does not match.</summary>
public enum NoMatchPolicy
{
    /// <summary>The line is left out.</summary>
    Drop,

    /// <summary>The line is emitted with <see cref="RegexMatch.Matched"/> false and no groups.</summary>
    Emit,
}

/// <summary>Options of <c>text.regex</c>.</summary>
public sealed class RegexStageOptions : IValidatableObject
{
    /// <summary>The .NET regular expression; named groups (<c>(?&lt;level&gt;…)</c>) become the record's groups.</summary>
    [Description(".NET regular expression matched against each line; named groups (?<name>...) become the record's groups")]
    [RequiredOption]
    public string Pattern { get; init; } = "";

    /// <summary>Whether a line yields its first match (filter) or every match (extract).</summary>
    [Description("filter: one record per matching line (its first match); extract: one record per match in the line")]
    public RegexMode Mode { get; init; } = RegexMode.Filter;

    /// <summary>Whether letters match regardless of case.</summary>
    [Description("Match letters regardless of case")]
    public bool IgnoreCase { get; init; }

    /// <summary>The groups to keep; empty keeps every named group of the pattern.</summary>
    [Description("Groups to keep in the record, by name (default: every named group of the pattern)")]
    public string[] Groups { get; init; } = [];

    /// <summary>Whether lines without a match are dropped or emitted as unmatched records.</summary>
    [Description("drop: lines without a match are left out; emit: they are emitted with matched = false")]
    public NoMatchPolicy OnNoMatch { get; init; } = NoMatchPolicy.Drop;

    /// <summary>The longest one line may take to match; a slower line fails and the stage's onError policy applies.</summary>
    [Description("Longest time one line may take to match; a slower line fails (onError decides what happens)")]
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Compiles the pattern once, so a bad pattern, an unknown group name or a bad timeout is reported when the
    /// pipeline is validated, at the option's place in the file, rather than when the first line arrives.
    /// </summary>
    /// <param name="validationContext">Unused: the options are checked on their own.</param>
    /// <returns>One result per problem, naming the option it belongs to.</returns>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var problems = new List<ValidationResult>();
        if (Timeout <= TimeSpan.Zero || Timeout.TotalMilliseconds >= int.MaxValue)
        {
            problems.Add(new ValidationResult("option 'timeout' must be more than zero and less than 24 days", [nameof(Timeout)]));
        }
        Regex regex;
        try
        {
            regex = new Regex(Pattern, Flags);
        }
        catch (ArgumentException e)
        {
            // RegexParseException says where the pattern breaks ("at offset 14. Not enough )'s").
            problems.Add(new ValidationResult($"option 'pattern' is not a valid .NET regular expression: {e.Message}", [nameof(Pattern)]));
            return problems;
        }
        var known = regex.GetGroupNames();
        foreach (var name in Groups.Where(g => !known.Contains(g, StringComparer.Ordinal)))
        {
            var named = NamedGroups(regex);
            problems.Add(new ValidationResult(
                $"option 'groups': the pattern has no group '{name}' (its named groups: {(named.Length == 0 ? "none" : string.Join(", ", named))})",
                [nameof(Groups)]));
        }
        return problems;
    }

    internal RegexOptions Flags => RegexOptions.CultureInvariant | (IgnoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);

    /// <summary>The groups written as <c>(?&lt;name&gt;…)</c>; numbered groups are positions, not fields.</summary>
    internal static string[] NamedGroups(Regex regex)
        => regex.GetGroupNames().Where(n => !int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out _)).ToArray();
}

/// <summary>
/// Matches each line against a .NET regular expression and emits what matched with its groups by name, which
/// turns log lines into structured records: <c>filter</c> keeps matching lines, <c>extract</c> emits every
/// occurrence of the pattern. Lines without a match are dropped or, with <c>onNoMatch: emit</c>, marked unmatched.
/// </summary>
[Stage("text.regex", Description = "Matches lines against a .NET regex; emits matching lines (or every match) with their named groups")]
public sealed class RegexStage : TransformStage<string, RegexMatch>
{
    private readonly RegexStageOptions _options;
    private Regex? _regex;
    private string[] _groups = [];

    /// <summary>Creates the stage from validated options; the pattern is compiled when the stage starts.</summary>
    public RegexStage(RegexStageOptions options) => _options = options;

    /// <inheritdoc />
    public override ValueTask StartAsync(StageContext context, CancellationToken cancellationToken)
    {
        // Compiled: a stage lives as long as its pipeline and sees every line, so the one-off compile cost pays.
        _regex = new Regex(_options.Pattern, _options.Flags | RegexOptions.Compiled, _options.Timeout);
        _groups = _options.Groups.Length > 0 ? _options.Groups : RegexStageOptions.NamedGroups(_regex);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override async ValueTask ProcessAsync(Packet<string> input, Emitter<RegexMatch> output, CancellationToken cancellationToken)
    {
        var line = input.Payload ?? "";
        var match = _regex!.Match(line);
        if (!match.Success)
        {
            if (_options.OnNoMatch == NoMatchPolicy.Emit)
            {
                await output.EmitAsync(RegexMatch.NoMatch(line), cancellationToken).ConfigureAwait(false);
            }
            return;
        }
        do
        {
            await output.EmitAsync(Record(line, match), cancellationToken).ConfigureAwait(false);
            match = _options.Mode == RegexMode.Extract ? match.NextMatch() : Match.Empty;
        }
        while (match.Success);
    }

    private RegexMatch Record(string line, Match match)
    {
        var groups = new Dictionary<string, string?>(_groups.Length, StringComparer.Ordinal);
        foreach (var name in _groups)
        {
            var group = match.Groups[name];
            groups[name] = group.Success ? group.Value : null;
        }
        return new RegexMatch(line, true, match.Value, groups);
    }
}
