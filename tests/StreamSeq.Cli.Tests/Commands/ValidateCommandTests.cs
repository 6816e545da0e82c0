using System.Text.RegularExpressions;
using StreamSeq.Cli.Tests.Support;

namespace StreamSeq.Cli.Tests.Commands;

public sealed class ValidateCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new("validate");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Every_problem_of_a_broken_pipeline_is_reported_at_its_place_and_the_exit_code_is_2()
    {
        _dir.Write("broken.json", """
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "rtae": 10 } },
                { "id": "win", "type": "window.slidng", "input": "gen" },
                { "id": "lines", "type": "source.lines", "options": { "path": "no-such-file.log" } },
                { "id": "out", "type": "sink.jsonl", "input": "nope" }
              ]
            }
            """);
        _dir.Write("good.json", """
            { "stages": [ { "id": "gen", "type": "source.generator" }, { "id": "out", "type": "sink.null", "input": "gen" } ] }
            """);

        var result = await StreamseqCli.RunAsync(_dir.Path, "validate", "broken.json", "good.json", "--no-plugins");

        Assert.True(result.ExitCode == 2, result.Describe());
        Assert.DoesNotContain("   at ", result.StdErr);
        var lines = result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.All(lines, line => Assert.Matches(@"^broken\.json:\d+:\d+: stage '[a-z]+': ", line));
        Assert.Contains(lines, l => l.StartsWith("broken.json:3:", StringComparison.Ordinal) && l.Contains("stage 'gen': unknown option 'rtae'"));
        Assert.Contains(lines, l => l.StartsWith("broken.json:4:", StringComparison.Ordinal) && l.Contains("stage 'win': unknown stage type 'window.slidng'"));
        Assert.Contains(lines, l => l.StartsWith("broken.json:5:", StringComparison.Ordinal) && l.Contains("stage 'lines': option 'path'") && l.Contains("does not exist"));
        Assert.Contains(lines, l => l.StartsWith("broken.json:6:", StringComparison.Ordinal) && l.Contains("stage 'out': input 'nope' is not a stage"));
        // The valid file next to it is still checked and reported as such.
        Assert.Contains("ok: good.json", result.StdOut);
        Assert.DoesNotContain("broken.json", result.StdOut);
    }

    [Fact]
    public async Task Malformed_json_is_a_diagnostic_with_line_and_column_not_a_crash()
    {
        _dir.Write("malformed.json", "{\n  \"stages\": [\n    { \"id\": \"a\" \"type\": \"x\" }\n  ]\n}\n");

        var result = await StreamseqCli.RunAsync(_dir.Path, "validate", "malformed.json", "--no-plugins");

        Assert.True(result.ExitCode == 2, result.Describe());
        Assert.Matches(new Regex(@"^malformed\.json:3:\d+: ", RegexOptions.Multiline), result.StdErr);
        Assert.DoesNotContain("   at ", result.StdErr);
        Assert.DoesNotContain("Exception", result.StdErr);
    }

    [Fact]
    public async Task The_pipelines_of_the_repository_are_valid()
    {
        var files = Directory.GetFiles(Repository.PathOf("pipelines"), "*.json")
            .Where(f => !f.EndsWith(".schema.json", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(Repository.Root, f))
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.NotEmpty(files);

        var result = await StreamseqCli.RunAsync(Repository.Root, ["validate", .. files, "--no-plugins"]);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.All(files, file => Assert.Contains($"ok: {file} (", result.StdOut));
        Assert.Equal("", result.StdErr);
    }

    [Fact]
    public async Task A_nats_connection_named_only_in_the_settings_file_given_is_found()
    {
        // One configuration path: the NATS stages read connections from the verb's configuration (here --settings),
        // not from a reader of their own on ./appsettings.json.
        _dir.Write("config/edge.json", """{ "Nats": { "Connections": { "edge": { "Url": "nats://10.0.0.9:4222" } } } }""");
        _dir.Write("in.json", """
            {
              "stages": [
                { "id": "in", "type": "nats.source", "options": { "stream": "FRAMES", "subject": "frames.>", "consumer": "w", "connection": "edge" } },
                { "id": "out", "type": "sink.null", "input": "in" }
              ]
            }
            """);

        var without = await StreamseqCli.RunAsync(_dir.Path, "validate", "in.json", "--no-plugins");
        var with = await StreamseqCli.RunAsync(_dir.Path, "validate", "in.json", "--no-plugins", "--settings", "config/edge.json");

        Assert.True(without.ExitCode == 2, without.Describe());
        Assert.Contains("no NATS connection named 'edge'", without.StdErr);
        Assert.True(with.ExitCode == 0, with.Describe());
    }
}
