using System.Text.Json.Nodes;
using StreamSeq.Cli.Tests.Support;

namespace StreamSeq.Cli.Tests.Bench;

/// <summary>
/// The benchmark's plumbing on a tiny run: it measures all three chains, delivers every packet, and reports
/// ratios and memory. Its figures are not asserted: speed belongs to the benchmark, not to tests.
/// </summary>
public sealed class BenchCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new("bench");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Bench_engine_reports_throughput_ratios_and_memory_as_json()
    {
        var result = await StreamseqCli.RunAsync(_dir.Path, "bench", "engine", "--packets", "20000", "--trials", "2", "--soak-packets", "50000", "--output", "report.json");

        Assert.True(result.ExitCode == 0, result.Describe());
        var report = JsonNode.Parse(File.ReadAllText(_dir["report.json"]))!.AsObject();
        Assert.Equal(report.ToJsonString(), JsonNode.Parse(result.StdOut)!.ToJsonString());
        foreach (var name in new[] { "engine", "rawChannels", "dataflow" })
        {
            Assert.True((double)report["packetsPerSecond"]![name]! > 0, name);
            Assert.Equal(2, report["trialsPerSecond"]![name]!.AsArray().Count);
        }
        Assert.True((double)report["ratios"]!["engineVsRawChannels"]! > 0);
        Assert.True((double)report["ratios"]!["engineVsDataflow"]! > 0);
        Assert.Equal(50000, (long)report["soak"]!["packets"]!);
        Assert.True((double)report["soak"]!["workingSetEndMiB"]! > 0);
        Assert.NotNull(report["soak"]!["gcCollections"]!["gen2"]);
        Assert.Contains("trial 2/2", result.StdErr);
    }

    [Fact]
    public async Task Bench_engine_rejects_nonsense_sizes_with_exit_code_2()
    {
        var result = await StreamseqCli.RunAsync(_dir.Path, "bench", "engine", "--packets", "10");
        Assert.Equal(2, result.ExitCode);
    }
}
