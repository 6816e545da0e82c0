using System.Text.Json.Nodes;
using OpenCvSharp;
using StreamSeq.Cli.Tests.Support;

namespace StreamSeq.Cli.Tests.Bench;

/// <summary><c>bench video</c> plumbing on a tiny run: both ways are measured and the action pipeline runs. Speed is not asserted.</summary>
public sealed class VideoBenchmarkTests : IDisposable
{
    private readonly TempDirectory _dir = new("bench-video");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Bench_video_reports_pipeline_and_sequential_flow_the_action_pipeline_and_the_live_row()
    {
        var model = Repository.PathOf("models/actions/motion");
        var video = WriteVideo(_dir["real.avi"]);

        // From the repository root: the live row runs pipelines/action-recognition.json as shipped.
        var result = await StreamseqCli.RunAsync(Repository.Root, "bench", "video", "--frames", "20", "--trials", "1", "--model", model,
            "--real", video, "--real-seconds", "3", "--output", _dir["report.json"]);

        Assert.True(result.ExitCode == 0, result.Describe());
        var report = JsonNode.Parse(File.ReadAllText(_dir["report.json"]))!.AsObject();
        Assert.True((double)report["flow"]!["pipelineFramesPerSecond"]! > 0);
        Assert.True((double)report["flow"]!["sequentialFramesPerSecond"]! > 0);
        Assert.True((double)report["flow"]!["ratio"]! > 0);
        Assert.True((double)report["actionPipeline"]!["timesRealTime"]! > 0);
        var live = report["liveRealVideo"]!.AsObject();
        var decoded = (long)live["framesDecoded"]!;
        // 3 s at 30 fps, paced like a camera: about 90 frames, never many more (the pace holds the source back).
        Assert.InRange(decoded, 10, 120);
        Assert.True((long)live["framesThroughFlow"]! + (long)live["framesDropped"]! <= decoded);
        Assert.True((long)live["framesThroughFlow"]! > 0);
        Assert.Contains("camera", live["maxQueueDepth"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task Without_the_real_video_the_live_row_is_skipped_and_said_so()
    {
        var result = await StreamseqCli.RunAsync(_dir.Path, "bench", "video", "--frames", "10", "--trials", "1", "--model", _dir["no-model"], "--real", _dir["absent.avi"], "--output", "report.json");

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains("skipping the live row", result.StdErr);
        Assert.Null(JsonNode.Parse(File.ReadAllText(_dir["report.json"]))!["liveRealVideo"]);
    }

    /// <summary>A short textured clip standing in for the real video (the row resizes it to 640×480 itself).</summary>
    private static string WriteVideo(string path)
    {
        using var writer = new VideoWriter(path, FourCC.MJPG, 30, new Size(160, 120), true);
        var pixels = new byte[240 * 480 * 3];
        new Random(3).NextBytes(pixels);
        using var texture = Mat.FromPixelData(240, 480, MatType.CV_8UC3, pixels).Clone();
        Cv2.GaussianBlur(texture, texture, new Size(0, 0), 3);
        for (var t = 0; t < 30; t++)
        {
            using var view = new Mat(texture, new Rect(4 * t, 40, 160, 120));
            writer.Write(view);
        }
        return path;
    }
}
