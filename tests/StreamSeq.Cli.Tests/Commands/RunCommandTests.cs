using System.Text.RegularExpressions;
using StreamSeq.Cli.Tests.Support;

namespace StreamSeq.Cli.Tests.Commands;

public sealed class RunCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new("run");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Set_overrides_an_option_and_stats_prints_the_table()
    {
        _dir.Write("gen.json", """
            {
              "name": "counter",
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "count": 1000 } },
                { "id": "out", "type": "sink.jsonl", "input": "gen", "options": { "path": "out/counter.jsonl" } }
              ]
            }
            """);

        var result = await StreamseqCli.RunAsync(_dir.Path, "run", "gen.json", "--set", "gen.count=25", "--stats", "--no-plugins");

        Assert.True(result.ExitCode == 0, result.Describe());
        var records = JsonLines.ReadAll(_dir["out/counter.jsonl"]);
        Assert.Equal(Enumerable.Range(0, 25), records.Select(r => r.GetProperty("payload").GetInt32()));
        Assert.All(records, r => Assert.Equal("gen", r.GetProperty("stream").GetString()));
        Assert.Contains("pipeline 'counter': completed", result.StdErr);
        Assert.Matches(new Regex(@"^stage\s+type\s+in\s+out\s+dropped\s+failed\b", RegexOptions.Multiline), result.StdErr);
        Assert.Matches(new Regex(@"^out\s+sink\.jsonl\s+25\s+25\s+0\s+0\b", RegexOptions.Multiline), result.StdErr);
    }

    [Fact]
    public async Task A_stage_failing_under_stop_fails_the_run_with_exit_code_1_and_names_the_stage()
    {
        // A directory where the sink expects a file: opening it fails in the sink's StartAsync, every time.
        Directory.CreateDirectory(_dir["blocked"]);
        _dir.Write("fail.json", """
            {
              "name": "doomed",
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "rate": 100 } },
                { "id": "out", "type": "sink.jsonl", "input": "gen", "onError": "stop", "options": { "path": "blocked" } }
              ]
            }
            """);

        var result = await StreamseqCli.RunAsync(_dir.Path, "run", "fail.json", "--no-plugins");

        Assert.True(result.ExitCode == 1, result.Describe());
        Assert.Matches(new Regex(@"^streamseq run: fail\.json: stage 'out': .*blocked", RegexOptions.Multiline), result.StdErr);
        Assert.Equal("", result.StdOut);
    }

    [Fact]
    public async Task An_invalid_pipeline_is_not_run_and_exits_2()
    {
        _dir.Write("invalid.json", """
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "count": 5 } },
                { "id": "out", "type": "sink.jsonl", "input": "gen", "options": { "path": "out/never.jsonl", "flush": true } }
              ]
            }
            """);

        var result = await StreamseqCli.RunAsync(_dir.Path, "run", "invalid.json", "--no-plugins");

        Assert.True(result.ExitCode == 2, result.Describe());
        Assert.Matches(new Regex(@"^invalid\.json:4:\d+: stage 'out': unknown option 'flush'", RegexOptions.Multiline), result.StdErr);
        Assert.False(File.Exists(_dir["out/never.jsonl"]), "an invalid pipeline must not start");
    }

    [Theory]
    [InlineData("run", "gen.json", "--no-such-option")]
    [InlineData("validate")]
    [InlineData("no-such-verb")]
    [InlineData("run", "gen.json", "--set", "gen=25")]
    [InlineData("run", "gen.json", "--duration", "soon")]
    public async Task Usage_errors_exit_with_2(params string[] arguments)
    {
        _dir.Write("gen.json", """{ "stages": [ { "id": "gen", "type": "source.generator", "options": { "count": 5 } }, { "id": "out", "type": "sink.null", "input": "gen" } ] }""");

        var result = await StreamseqCli.RunAsync(_dir.Path, [.. arguments, "--no-plugins"]);

        Assert.True(result.ExitCode == 2, result.Describe());
        Assert.NotEqual("", result.StdErr.Trim());
        Assert.DoesNotContain("   at ", result.StdErr);
    }

    [Fact]
    public async Task Lines_from_stdin_flow_to_jsonl_on_stdout_and_logs_stay_on_stderr()
    {
        _dir.Write("pipe.json", """
            {
              "stages": [
                { "id": "in", "type": "source.lines", "options": { "path": "-", "skipEmpty": true } },
                { "id": "out", "type": "sink.jsonl", "input": "in", "options": { "path": "-" } }
              ]
            }
            """);

        var result = await StreamseqCli.RunWithInputAsync(_dir.Path, "first line\n\nsecond – ünïcode\r\nno newline at end", "run", "pipe.json", "--no-plugins", "--stats");

        Assert.True(result.ExitCode == 0, result.Describe());
        var lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        var payloads = lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("payload").GetString()!).ToArray();
        Assert.Equal(["first line", "second – ünïcode", "no newline at end"], payloads);
        Assert.Contains("pipeline 'pipe': completed", result.StdErr);
    }

    [Fact]
    public async Task Progress_prints_a_status_line_per_interval_while_the_pipeline_runs()
    {
        _dir.Write("slow.json", """
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "rate": 100, "count": 150 } },
                { "id": "out", "type": "sink.null", "input": "gen" }
              ]
            }
            """);

        var result = await StreamseqCli.RunAsync(_dir.Path, "run", "slow.json", "--no-plugins", "--progress", "200ms");

        Assert.True(result.ExitCode == 0, result.Describe());
        var lines = result.StdErr.Split('\n').Where(l => l.StartsWith("streamseq: ") && l.Contains(" gen ")).ToList();
        Assert.True(lines.Count >= 3, result.Describe());
        Assert.Matches(new Regex(@"gen 0→\d+ out \d+→\d+( \(queued \d+\))?\s+dropped 0 failed 0"), lines[^1]);
        Assert.Equal("", result.StdOut);
    }
}
