using OpenCvSharp;
using StreamSeq.Media.Stages;
using StreamSeq.Media.Tests.Support;

namespace StreamSeq.Media.Tests.Stages;

public sealed class OpticalFlowTests
{
    [Theory]
    [InlineData(FlowMethod.Farneback, 3.0, 0.0)]
    [InlineData(FlowMethod.Farneback, -2.0, 1.0)]
    [InlineData(FlowMethod.SparseToDense, 2.0, -2.0)]
    [InlineData(FlowMethod.SparseToDense, 0.0, 3.0)]
    public void Each_method_measures_a_known_shift(FlowMethod method, double dx, double dy)
    {
        using var previous = new VideoFrame(MediaFiles.MovingTexture(128, 96, 0, dx, dy), TimeSpan.Zero, 0);
        using var current = new VideoFrame(MediaFiles.MovingTexture(128, 96, 1, dx, dy), TimeSpan.FromSeconds(0.04), 1);
        using var flow = OpticalFlowStage.Compute(previous, current, new OpticalFlowOptions { Method = method, Visualize = true });

        // Judged on the middle of the frame: borders see texture entering and leaving.
        using var centre = new Mat(flow.Flow, new Rect(32, 24, 64, 48));
        var stats = FlowMath.Statistics(centre, 0.5);
        Assert.InRange(stats.MeanDx, dx - 0.5, dx + 0.5);
        Assert.InRange(stats.MeanDy, dy - 0.5, dy + 0.5);
        Assert.Equal(MatType.CV_32FC2, flow.Flow.Type());
        Assert.Equal((128, 96), (flow.Flow.Width, flow.Flow.Height));
        Assert.NotNull(flow.Visual);
        Assert.Equal(MatType.CV_8UC3, flow.Visual!.Type());
        Assert.Equal(1, flow.Index);
    }

    [Fact]
    public void A_still_scene_has_no_motion()
    {
        using var previous = new VideoFrame(MediaFiles.MovingTexture(64, 64, 0, 0, 0), TimeSpan.Zero, 0);
        using var current = new VideoFrame(MediaFiles.MovingTexture(64, 64, 1, 0, 0), TimeSpan.Zero, 1);

        using var flow = OpticalFlowStage.Compute(previous, current, new OpticalFlowOptions());

        Assert.True(flow.Statistics.MeanMagnitude < 0.02, flow.Statistics.ToString());
        Assert.Equal(0, flow.Statistics.MovingFraction);
    }

    [Fact]
    public void Frames_of_different_sizes_are_an_error_not_a_crash()
    {
        using var previous = new VideoFrame(MediaFiles.MovingTexture(64, 64, 0, 1, 0), TimeSpan.Zero, 4);
        using var current = new VideoFrame(MediaFiles.MovingTexture(80, 64, 1, 1, 0), TimeSpan.Zero, 5);

        var error = Assert.Throws<InvalidDataException>(() => OpticalFlowStage.Compute(previous, current, new OpticalFlowOptions()));

        Assert.Contains("differ in size", error.Message);
        Assert.Contains("64x64", error.Message);
        Assert.Contains("80x64", error.Message);
    }

    [Fact]
    public void Options_that_Farneback_rejects_are_validation_errors()
    {
        var diagnostics = MediaPipelines.Diagnose("""
            { "stages": [
              { "id": "src", "type": "video.source", "options": { "uri": "0" } },
              { "id": "pairs", "type": "video.pairs", "input": "src" },
              { "id": "flow", "type": "video.opticalflow", "input": "pairs", "options": { "windowSize": 14, "method": "dis" } },
              { "id": "out", "type": "sink.null", "input": "flow" } ] }
            """);

        Assert.Contains(diagnostics, d => d.Message.Contains("windowSize", StringComparison.Ordinal) && d.Message.Contains("odd", StringComparison.Ordinal));
        Assert.Contains(diagnostics, d => d.Message.Contains("dis", StringComparison.Ordinal));
    }
}
