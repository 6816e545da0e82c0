using System.Text.RegularExpressions;
using StreamSeq.Cli.Tests.Support;

namespace StreamSeq.Cli.Tests.Daemon;

/// <summary>
/// <c>streamseq daemon</c> as a service manager runs it: a process with its own working directory and
/// appsettings.json, watched through its log and its pipelines' output files.
/// </summary>
public sealed class DaemonCommandTests : IAsyncLifetime
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);
    private readonly TempDirectory _dir = new("daemon");
    private ChildProcess? _daemon;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_daemon is not null)
        {
            await _daemon.DisposeAsync();
        }
        _dir.Dispose();
    }

    private ChildProcess Daemon => _daemon ?? throw new InvalidOperationException("the daemon was not started");

    /// <summary>Everything the daemon logged so far (the console logger writes to stdout), and its stderr.</summary>
    private string Log => Daemon.StdOut.Text + Daemon.StdErr.Text;

    private void Start(params string[] pipelines)
    {
        var list = string.Join(", ", pipelines.Select(p => $"\"{p}\""));
        _dir.Write("appsettings.json", $$"""
            {
              "StreamSeq": {
                "Pipelines": [ {{list}} ],
                "Plugins": [],
                "DrainTimeout": "{{DrainTimeout:c}}",
                "WatchInterval": "00:00:00.200",
                "RestartFailedPipelines": true,
                "RestartDelay": "00:00:00.300",
                "StatsInterval": "00:00:00.500"
              },
              "Logging": { "LogLevel": { "Default": "Information", "Microsoft.Hosting.Lifetime": "Warning" } }
            }
            """);
        _daemon = StreamseqCli.StartDaemon(_dir.Path);
    }

    /// <summary>A generator at 50 packets/s into a JSON-lines file, flushed often so tests see it grow.</summary>
    private static string Generator(string name, string output, string sinkType = "sink.jsonl") => $$"""
        {
          "name": "{{name}}",
          "stages": [
            { "id": "gen", "type": "source.generator", "options": { "rate": 50 } },
            { "id": "out", "type": "{{sinkType}}", "input": "gen", "options": { "path": "{{output}}", "flushInterval": "100ms" } }
          ]
        }
        """;

    private async Task WaitForLinesAsync(string output, int count)
    {
        var path = _dir[output];
        await Eventually.TrueAsync(() => JsonLines.Count(path) >= count, $"{count} lines in {output}",
            () => $"{output} has {JsonLines.Count(path)} lines; daemon: {Daemon.Describe()}");
    }

    /// <summary>Waits for a log line matching <paramref name="pattern"/> written after <paramref name="since"/>.</summary>
    private async Task<Match> WaitForLogAsync(string pattern, int since = 0)
    {
        var regex = new Regex(pattern, RegexOptions.Multiline);
        Match? match = null;
        await Eventually.TrueAsync(() => (match = regex.Match(Daemon.StdOut.Text[since..])).Success, $"a log line matching /{pattern}/", Daemon.Describe);
        return match!;
    }

    /// <summary>Waits until the output has <paramref name="more"/> lines beyond what it has now.</summary>
    private async Task AssertKeepsGrowingAsync(string output, int more = 20)
        => await WaitForLinesAsync(output, JsonLines.Count(_dir[output]) + more);

    [Fact]
    public async Task A_failing_pipeline_is_restarted_while_a_healthy_one_keeps_running()
    {
        // The sink of 'failing' is pointed at a directory, so its StartAsync throws on every start.
        Directory.CreateDirectory(_dir["blocked"]);
        _dir.Write("healthy.json", Generator("healthy", "out/healthy.jsonl"));
        _dir.Write("failing.json", Generator("failing", "blocked"));
        // "Plugins": [] means none: this broken plugin in the default folder must not even be looked at.
        _dir.Write("plugins/bin/Broken/Broken.dll", "not an assembly");
        Start("healthy.json", "failing.json");

        await WaitForLinesAsync("out/healthy.jsonl", 10);
        await WaitForLogAsync(@"Pipeline 'failing' failed: stage 'out'");
        await WaitForLogAsync(@"Pipeline 'failing' restarts in [\d.]+ s \(failure 1 in a row\)");
        await WaitForLogAsync(@"Pipeline 'failing' restarted from failing\.json");
        // The restarted run fails again, and the backoff grows.
        await WaitForLogAsync(@"Pipeline 'failing' restarts in [\d.]+ s \(failure 2 in a row\)");

        await AssertKeepsGrowingAsync("out/healthy.jsonl");
        Assert.False(Daemon.HasExited, Daemon.Describe());
        Assert.DoesNotContain("Pipeline 'healthy' failed", Log);
        Assert.DoesNotContain("Broken.dll", Log);
    }

    [Fact]
    public async Task An_edited_pipeline_is_drained_and_reloaded_and_writes_to_its_new_output()
    {
        _dir.Write("healthy.json", Generator("healthy", "out/first.jsonl"));
        Start("healthy.json");
        await WaitForLinesAsync("out/first.jsonl", 10);
        var mark = Daemon.StdOut.Length;

        _dir.Write("healthy.json", Generator("healthy", "out/second.jsonl"));

        await WaitForLogAsync(@"Pipeline 'healthy' reloaded from healthy\.json", mark);
        await WaitForLinesAsync("out/second.jsonl", 10);
        // The old version was drained and stopped: its file is complete and no longer written.
        var first = JsonLines.ReadAll(_dir["out/first.jsonl"]);
        Assert.Equal(Enumerable.Range(0, first.Count), first.Select(r => r.GetProperty("seq").GetInt32()));
        await AssertKeepsGrowingAsync("out/second.jsonl");
        Assert.Equal(first.Count, JsonLines.Count(_dir["out/first.jsonl"]));
    }

    [Fact]
    public async Task An_invalid_edit_is_reported_at_its_place_and_the_running_version_keeps_running()
    {
        _dir.Write("healthy.json", Generator("healthy", "out/healthy.jsonl"));
        Start("healthy.json");
        await WaitForLinesAsync("out/healthy.jsonl", 10);
        var mark = Daemon.StdOut.Length;

        _dir.Write("healthy.json", Generator("healthy", "out/healthy.jsonl", sinkType: "sink.jsonlx"));

        // Line 5 of the file holds the sink; the column is where its type value starts.
        var diagnostic = await WaitForLogAsync(@"healthy\.json:(\d+):(\d+): stage 'out': unknown stage type 'sink\.jsonlx'", mark);
        Assert.Equal("5", diagnostic.Groups[1].Value);
        Assert.Equal(File.ReadAllLines(_dir["healthy.json"])[4].IndexOf("\"sink.jsonlx\"", StringComparison.Ordinal) + 1, int.Parse(diagnostic.Groups[2].Value));
        await WaitForLogAsync(@"healthy\.json is invalid .*the running version of 'healthy' keeps running", mark);
        await AssertKeepsGrowingAsync("out/healthy.jsonl");
        Assert.DoesNotContain("reloaded", Daemon.StdOut.Text[mark..]);
        Assert.False(Daemon.HasExited, Daemon.Describe());
    }

    [Fact]
    public async Task Sigterm_drains_the_pipelines_and_exits_0()
    {
        _dir.Write("healthy.json", Generator("healthy", "out/healthy.jsonl"));
        Start("healthy.json");
        await WaitForLinesAsync("out/healthy.jsonl", 20);

        await Daemon.TerminateAsync();

        Assert.True(await Daemon.WaitForExitAsync(DrainTimeout + TimeSpan.FromSeconds(10)), $"the daemon did not exit after SIGTERM: {Daemon.Describe()}");
        var result = await Daemon.ResultAsync();
        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains("Pipeline 'healthy' stopped (drained)", result.StdOut);
        // Drained, not cut off: the file ends with a whole line, and no packet in between went missing.
        var records = JsonLines.ReadAll(_dir["out/healthy.jsonl"]);
        Assert.True(records.Count >= 20);
        Assert.Equal(Enumerable.Range(0, records.Count), records.Select(r => r.GetProperty("seq").GetInt32()));
    }

    [Fact]
    public async Task A_crash_of_the_supervisor_ends_the_daemon_with_exit_code_1()
    {
        // Any crash of the supervisor loop will do; a NUL in a configured path makes resolving it throw.
        Start("pipelines/bad\\u0000name.json");

        Assert.True(await Daemon.WaitForExitAsync(Eventually.DefaultTimeout), $"the daemon kept running after its supervisor crashed: {Daemon.Describe()}");
        var result = await Daemon.ResultAsync();
        Assert.True(result.ExitCode == 1, result.Describe());
    }

    [Fact]
    public async Task The_daemon_logs_each_pipelines_traffic_periodically()
    {
        _dir.Write("steady.json", Generator("steady", "out/steady.jsonl"));
        Start("steady.json");

        // A window that starts before the pipeline does (a loaded machine) may count nothing: wait for one that counts.
        var match = await WaitForLogAsync(@"Pipeline 'steady' in the last \d+ s: ([1-9]\d*) packets from sources, (\d+) handled by sinks, 0 dropped, 0 failed");
        Assert.True(int.Parse(match.Groups[1].Value) > 0, Daemon.Describe());
    }
}
