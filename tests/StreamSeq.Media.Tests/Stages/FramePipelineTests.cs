using System.Diagnostics;
using OpenCvSharp;
using StreamSeq.Media.Tests.Support;

namespace StreamSeq.Media.Tests.Stages;

public sealed class FramePipelineTests : IDisposable
{
    private readonly MediaFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Flow_pairs_run_in_parallel_in_order_into_windows_and_every_frame_is_freed()
    {
        var clip = _files.WriteClip("clip.avi", frames: 33);
        var flows = MediaPipelines.Unique("flows");
        var windows = MediaPipelines.Unique("windows");

        var result = await MediaPipelines.RunToEnd($$"""
            { "name": "t", "defaults": { "capacity": 4 }, "stages": [
              { "id": "src", "type": "video.source", "options": { "uri": "{{clip}}", "grayscale": true } },
              { "id": "pairs", "type": "video.pairs", "input": "src" },
              { "id": "flow", "type": "video.opticalflow", "input": "pairs", "parallelism": 2, "options": { "visualize": true } },
              { "id": "seen", "type": "test.collect", "input": "flow", "options": { "name": "{{flows}}" } },
              { "id": "clips", "type": "window.sliding", "input": "flow", "options": { "size": 8, "hop": 8 } },
              { "id": "out", "type": "test.collect", "input": "clips", "options": { "name": "{{windows}}" } } ] }
            """);

        Assert.True(result.Succeeded, MediaPipelines.Describe(result));
        var seen = CollectSink<FlowFrame>.Of(flows);
        Assert.Equal(Enumerable.Range(1, 32).Select(i => (long)i), seen.Select(f => f.Index));
        // The texture moves 2 px right per frame.
        Assert.All(seen, f => Assert.InRange(f.Flow!.MeanDx, 1.0, 2.6));
        var clips = CollectSink<Window<FlowFrame>>.Of(windows);
        Assert.Equal(4, clips.Count);
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), clips[0].Members);
        Assert.Equal(Enumerable.Range(25, 8).Select(i => (long)i), clips[3].Members);
        Assert.Equal(0, VideoFrame.Live);
    }

    [Fact]
    public async Task Transforms_resize_crop_gray_normalize_diff_and_subsample()
    {
        var clip = _files.WriteClip("clip.avi", frames: 12, width: 96, height: 64);
        string Run(string stages, string name) => $$"""
            { "name": "t", "stages": [
              { "id": "src", "type": "video.source", "options": { "uri": "{{clip}}" } },
              {{stages}},
              { "id": "out", "type": "test.collect", "input": "last", "options": { "name": "{{name}}" } } ] }
            """;
        var names = Enumerable.Range(0, 4).Select(i => MediaPipelines.Unique("t" + i)).ToArray();

        var results = new[]
        {
            await MediaPipelines.RunToEnd(Run("""{ "id": "r", "type": "video.resize", "input": "src", "options": { "width": 48 } }, { "id": "last", "type": "video.grayscale", "input": "r" }""", names[0])),
            await MediaPipelines.RunToEnd(Run("""{ "id": "c", "type": "video.crop", "input": "src", "options": { "x": 10, "y": 20, "width": 30, "height": 40 } }, { "id": "last", "type": "video.normalize", "input": "c", "options": { "mean": 0.5, "std": 0.25 } }""", names[1])),
            await MediaPipelines.RunToEnd(Run("""{ "id": "last", "type": "video.diff", "input": "src" }""", names[2])),
            await MediaPipelines.RunToEnd(Run("""{ "id": "last", "type": "video.every", "input": "src", "options": { "n": 4, "offset": 1 } }""", names[3])),
        };

        Assert.All(results, r => Assert.True(r.Succeeded, MediaPipelines.Describe(r)));
        Assert.All(CollectSink<VideoFrame>.Of(names[0]), f => Assert.Equal((48, 32, 1), (f.Width, f.Height, f.Channels)));
        Assert.All(CollectSink<VideoFrame>.Of(names[1]), f => Assert.Equal((30, 40, 3), (f.Width, f.Height, f.Channels)));
        Assert.Equal(11, CollectSink<VideoFrame>.Of(names[2]).Count);
        Assert.Equal([1L, 5, 9], CollectSink<VideoFrame>.Of(names[3]).Select(f => f.Index));
        Assert.Equal(0, VideoFrame.Live);
    }

    [Fact]
    public void Normalize_maps_pixels_to_the_model_convention()
    {
        using var image = new Mat(2, 2, MatType.CV_8UC1, Scalar.All(255));
        using var frame = new VideoFrame(image.Clone(), TimeSpan.Zero, 0);
        var stage = new StreamSeq.Media.Stages.NormalizeStage(new StreamSeq.Media.Stages.NormalizeOptions { Mean = 0.5, Std = 0.25 });

        using var normalized = stage.Map(new Packet<VideoFrame>(frame, DateTime.UtcNow, 0, "s"));

        Assert.Equal(MatType.CV_32FC1, normalized.Image.Type());
        Assert.Equal(2.0f, normalized.Image.At<float>(0, 0), 4);
    }

    [Fact]
    public async Task A_crop_outside_the_frame_fails_that_frame_by_policy()
    {
        var clip = _files.WriteClip("clip.avi", frames: 5);
        var name = MediaPipelines.Unique("crop");

        var result = await MediaPipelines.RunToEnd($$"""
            { "name": "t", "stages": [
              { "id": "src", "type": "video.source", "options": { "uri": "{{clip}}" } },
              { "id": "crop", "type": "video.crop", "input": "src", "onError": "skip", "options": { "x": 90, "y": 0, "width": 30, "height": 10 } },
              { "id": "out", "type": "test.collect", "input": "crop", "options": { "name": "{{name}}" } } ] }
            """);

        Assert.True(result.Succeeded, MediaPipelines.Describe(result));
        Assert.Empty(CollectSink<VideoFrame>.Of(name));
        Assert.Equal(5, result.Stages.Single(s => s.StageId == "crop").Failed);
        Assert.Equal(0, VideoFrame.Live);
    }

    [Fact]
    public async Task Sink_video_writes_an_mp4_that_ffprobe_reads_with_every_frame()
    {
        var clip = _files.WriteClip("clip.avi", frames: 21);
        var output = _files["out/annotated.mp4"];

        var result = await MediaPipelines.RunToEnd($$"""
            { "name": "t", "stages": [
              { "id": "src", "type": "video.source", "options": { "uri": "{{clip}}", "grayscale": true } },
              { "id": "pairs", "type": "video.pairs", "input": "src" },
              { "id": "flow", "type": "video.opticalflow", "input": "pairs", "options": { "visualize": true } },
              { "id": "video", "type": "sink.video", "inputs": { "frames": "flow" }, "options": { "path": "{{output}}", "width": 192 } } ] }
            """);

        Assert.True(result.Succeeded, MediaPipelines.Describe(result));
        var probe = Process.Start(new ProcessStartInfo("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames,width,height", "-of", "csv=p=0", output])
        {
            RedirectStandardOutput = true,
        })!;
        var text = (await probe.StandardOutput.ReadToEndAsync()).Trim();
        await probe.WaitForExitAsync();
        Assert.Equal("192,128,20", text);
        Assert.Equal(0, VideoFrame.Live);
    }
}
