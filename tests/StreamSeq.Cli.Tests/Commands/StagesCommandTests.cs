using System.Text.Json.Nodes;
using StreamSeq.Cli.Tests.Support;

namespace StreamSeq.Cli.Tests.Commands;

public sealed class StagesCommandTests : IDisposable
{
    private static readonly string[] BuiltIns =
    [
        "source.generator", "source.lines", "window.sliding", "window.tumbling", "throttle", "sample", "merge", "join",
        "sink.jsonl", "sink.console", "sink.null",
    ];

    private readonly TempDirectory _dir = new("stages");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_json_catalog_lists_every_built_in_stage_with_documented_options()
    {
        var result = await StreamseqCli.RunAsync(_dir.Path, "stages", "--json", "--no-plugins");

        Assert.True(result.ExitCode == 0, result.Describe());
        var catalog = Assert.IsType<JsonArray>(JsonNode.Parse(result.StdOut));
        var byType = catalog.Select(s => s!.AsObject()).ToDictionary(s => (string)s["type"]!);
        foreach (var type in BuiltIns)
        {
            Assert.True(byType.TryGetValue(type, out var stage), $"'{type}' is missing from the catalog: {string.Join(", ", byType.Keys)}");
            Assert.Equal("built-in", (string?)stage!["origin"]);
            var options = Assert.IsType<JsonArray>(stage["options"]);
            foreach (var option in options.Select(o => o!.AsObject()))
            {
                // "default" is always there, null when the option has none.
                Assert.All(["name", "type", "default", "description"], key => Assert.True(option.ContainsKey(key), $"{type}: option {option.ToJsonString()} has no '{key}'"));
                Assert.False(string.IsNullOrWhiteSpace((string?)option["description"]), $"{type}.{option["name"]} is undocumented");
            }
        }

        var generator = byType["source.generator"]["options"]!.AsArray().Select(o => o!.AsObject()).ToDictionary(o => (string)o["name"]!);
        Assert.Equal("number", (string?)generator["rate"]["type"]);
        Assert.Equal(0, (double)generator["rate"]["default"]!);
        Assert.Equal("counter | sine | random", (string?)generator["mode"]["type"]);
        Assert.Equal("counter", (string?)generator["mode"]["default"]);
        var lines = byType["source.lines"]["options"]!.AsArray().Select(o => o!.AsObject()).ToDictionary(o => (string)o["name"]!);
        Assert.True((bool)lines["path"]["required"]!);
        Assert.Equal("duration", (string?)lines["pollInterval"]["type"]);
    }

    [Fact]
    public async Task The_text_catalog_shows_each_stage_with_its_options()
    {
        var result = await StreamseqCli.RunAsync(_dir.Path, "stages", "--no-plugins");

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.All(BuiltIns, type => Assert.Matches($@"(?m)^{System.Text.RegularExpressions.Regex.Escape(type)}  \(", result.StdOut));
        Assert.Matches(@"(?m)^\s+rate\s+number\s+default 0\s", result.StdOut);
    }
}
