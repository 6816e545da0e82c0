using StreamSeq.Cli.Tests.Support;
using StreamSeq.Nats.Tests.Support;

namespace StreamSeq.Nats.Tests;

/// <summary>Bad connection settings and an unreachable server: a clear error, retries with backoff, never a crash.</summary>
public sealed class ConnectionTests
{
    [Fact]
    public async Task An_unreachable_server_is_retried_with_backoff_and_work_starts_when_it_comes_up()
    {
        await using var bench = await WorkBench.StartAsync();
        await bench.Server.StopAsync();
        bench.Configure(WorkBench.Pipeline());
        var daemon = bench.StartDaemon();
        var expected = $"cannot connect to NATS connection 'default' ({bench.Server.Url})";
        await Eventually.TrueAsync(() => daemon.StdOut.Text.Contains(expected, StringComparison.Ordinal) && daemon.StdOut.Text.Contains("attempt 3,", StringComparison.Ordinal),
            "three failed attempts, each explained", daemon.Describe, TimeSpan.FromSeconds(60));
        Assert.Contains("retrying in", daemon.StdOut.Text, StringComparison.Ordinal);
        Assert.False(daemon.HasExited, daemon.Describe());

        await bench.Server.StartAgainAsync();
        await bench.WaitForWorkersAsync(1);
        await bench.PublishWorkAsync(20);
        await Eventually.TrueAsync(() => bench.Count(WorkBench.ResultsStream) == 20, "20 results once the server is up",
            () => $"{bench.Count(WorkBench.ResultsStream)} results{Environment.NewLine}{daemon.Describe()}", TimeSpan.FromSeconds(60));
        Assert.Contains("connected to NATS connection 'default'", daemon.StdOut.Text, StringComparison.Ordinal);
        await bench.StopDaemonsAsync();
        Assert.Equal(0, daemon.ExitCode);
    }

    [Fact]
    public async Task A_missing_credentials_file_is_named_and_retried_without_crashing()
    {
        await using var bench = await WorkBench.StartAsync();
        bench.Configure(WorkBench.Pipeline(), extraConnection: """, "CredentialsFile": "/nonexistent/worker.creds" """);
        var daemon = bench.StartDaemon();
        await Eventually.TrueAsync(() => daemon.StdOut.Text.Contains("attempt 2,", StringComparison.Ordinal), "two failed attempts", daemon.Describe, TimeSpan.FromSeconds(60));
        Assert.Contains("CredentialsFile '/nonexistent/worker.creds' does not exist (Nats:Connections:default:CredentialsFile)", daemon.StdOut.Text, StringComparison.Ordinal);
        Assert.False(daemon.HasExited, daemon.Describe());
        await bench.StopDaemonsAsync();
        Assert.Equal(0, daemon.ExitCode);
    }

    [Fact]
    public async Task A_pipeline_naming_an_unknown_connection_does_not_validate()
    {
        using var folder = new TempDirectory("nats-validate");
        folder.Write("p.json", """
            {
              "name": "p",
              "stages": [
                { "id": "in", "type": "nats.source", "options": { "stream": "WORK", "subject": "work.>", "connection": "edge" } },
                { "id": "out", "type": "sink.null", "input": "in" }
              ]
            }
            """);
        folder.Write("appsettings.json", """{ "Nats": { "Connections": { "central": { "Url": "nats://127.0.0.1:1" } } } }""");
        var result = await StreamseqCli.RunAsync(folder.Path, "validate", "p.json");
        Assert.True(result.ExitCode == 2, result.Describe());
        Assert.Contains("stage 'in'", result.StdErr + result.StdOut, StringComparison.Ordinal);
        Assert.Contains("no NATS connection named 'edge'", result.StdErr + result.StdOut, StringComparison.Ordinal);
        Assert.Contains("known: central", result.StdErr + result.StdOut, StringComparison.Ordinal);
    }
}
