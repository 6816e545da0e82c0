using System.Text.Json.Nodes;
using StreamSeq.Cli.Tests.Support;

namespace StreamSeq.Cli.Tests.Bench;

/// <summary>
/// <c>bench lattice</c> plumbing on a tiny run: every section is measured and the library agrees with the naive
/// dense implementations. Speed is not asserted.
/// </summary>
public sealed class LatticeBenchmarkTests : IDisposable
{
    private readonly TempDirectory _dir = new("bench-lattice");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Bench_lattice_reports_both_lattices_next_to_the_naive_implementation()
    {
        var result = await StreamseqCli.RunAsync(_dir.Path, "bench", "lattice", "--frames", "40", "--labels", "6", "--target-length", "5", "--trials", "1", "--output", "report.json");

        Assert.True(result.ExitCode == 0, result.Describe());
        var report = JsonNode.Parse(File.ReadAllText(_dir["report.json"]))!.AsObject();
        Assert.Equal("lattice", (string)report["benchmark"]!);
        foreach (var section in new[] { "emissionLattice", "composedLattice" })
        {
            var lattice = report[section]!;
            Assert.True((int)lattice["arcs"]! > 0, section);
            foreach (var side in new[] { "library", "naiveDense" })
            {
                foreach (var call in new[] { "forward", "forwardWithGradient", "viterbi", "viterbiWithGradient" })
                {
                    Assert.True((double)lattice[side]![call]!["msPerCall"]! >= 0, $"{section}.{side}.{call}");
                }
            }
            Assert.True((double)lattice["agreement"]!["forwardScore"]! < 1e-9, section);
            Assert.True((double)lattice["agreement"]!["forwardGradientMax"]! < 1e-9, section);
            Assert.True((double)lattice["agreement"]!["viterbiScore"]! < 1e-9, section);
            Assert.Equal(0.0, (double)lattice["agreement"]!["viterbiGradientMax"]!);
        }
        Assert.Equal(40 * 6, (int)report["emissionLattice"]!["arcs"]!);
        Assert.True((int)report["compose"]!["ctcTarget"]!["resultArcs"]! > 0);
        Assert.True((int)report["compose"]!["ctcTopology"]!["resultArcs"]! > 0);
        Assert.True((double)report["ctcLoss"]!["loss"]! > 0);
    }

    [Fact]
    public async Task Bench_lattice_rejects_a_target_longer_than_the_frames_allow()
    {
        var result = await StreamseqCli.RunAsync(_dir.Path, "bench", "lattice", "--frames", "10", "--target-length", "6");
        Assert.Equal(2, result.ExitCode);
    }
}
