using System.Text.Json.Nodes;
using StreamSeq.Cli.Tests.Support;

namespace StreamSeq.Cli.Tests.Bench;

/// <summary><c>bench video</c> plumbing on a tiny run: both ways are measured and the action pipeline runs. Speed is not asserted.</summary>
public sealed class VideoBenchmarkTests : IDisposable
{
    private readonly TempDirectory _dir = new("bench-video");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Bench_video_reports_pipeline_and_sequential_flow_and_the_action_pipeline()
    {
        var model = Repository.PathOf("models/actions/motion");

        var result = await StreamseqCli.RunAsync(_dir.Path, "bench", "video", "--frames", "20", "--trials", "1", "--model", model, "--output", "report.json");

        Assert.True(result.ExitCode == 0, result.Describe());
        var report = JsonNode.Parse(File.ReadAllText(_dir["report.json"]))!.AsObject();
        Assert.True((double)report["flow"]!["pipelineFramesPerSecond"]! > 0);
        Assert.True((double)report["flow"]!["sequentialFramesPerSecond"]! > 0);
        Assert.True((double)report["flow"]!["ratio"]! > 0);
        Assert.True((double)report["actionPipeline"]!["timesRealTime"]! > 0);
    }
}
