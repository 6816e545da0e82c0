using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StreamSeq.Media.Tests.Support;

namespace StreamSeq.Media.Tests.Stages;

public sealed class VideoSourceTests : IDisposable
{
    private readonly MediaFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static string Pipeline(string sourceOptions, string name) => $$"""
        { "name": "t", "stages": [
          { "id": "src", "type": "video.source", "options": { {{sourceOptions}} } },
          { "id": "out", "type": "test.collect", "input": "src", "options": { "name": "{{name}}" } } ] }
        """;

    [Fact]
    public async Task A_file_is_read_to_its_end_with_media_times_and_the_run_completes()
    {
        var clip = _files.WriteClip("clip.avi", frames: 20, fps: 25);
        var name = MediaPipelines.Unique("file");

        var result = await MediaPipelines.RunToEnd(Pipeline($"\"uri\": \"{clip}\"", name));

        Assert.True(result.Succeeded, MediaPipelines.Describe(result));
        var frames = CollectSink<VideoFrame>.Of(name);
        Assert.Equal(20, frames.Count);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), frames.Select(f => f.Index));
        Assert.All(frames, f => Assert.Equal((96, 64, 3), (f.Width, f.Height, f.Channels)));
        Assert.Equal(0.04, frames[1].MediaSeconds - frames[0].MediaSeconds, 3);
        // Files: originating time = run start + media time, so time windows follow the media.
        Assert.Equal(TimeSpan.FromSeconds(0.76), frames[19].OriginatingTime - frames[0].OriginatingTime);
        Assert.Equal(0, VideoFrame.Live);
    }

    [Fact]
    public async Task Size_gray_frame_skip_and_max_frames_shape_what_comes_out()
    {
        var clip = _files.WriteClip("clip.avi", frames: 30);
        var name = MediaPipelines.Unique("shaped");

        var result = await MediaPipelines.RunToEnd(Pipeline($"\"uri\": \"{clip}\", \"width\": 48, \"grayscale\": true, \"frameSkip\": 2, \"maxFrames\": 5", name));

        Assert.True(result.Succeeded, MediaPipelines.Describe(result));
        var frames = CollectSink<VideoFrame>.Of(name);
        Assert.Equal([0L, 3, 6, 9, 12], frames.Select(f => f.Index));
        Assert.All(frames, f => Assert.Equal((48, 32, 1), (f.Width, f.Height, f.Channels)));
    }

    [Fact]
    public async Task Loop_replays_a_file_with_media_time_that_keeps_increasing()
    {
        var clip = _files.WriteClip("clip.avi", frames: 6, fps: 10);
        var name = MediaPipelines.Unique("loop");

        var result = await MediaPipelines.RunToEnd(Pipeline($"\"uri\": \"{clip}\", \"loop\": true, \"maxFrames\": 15", name));

        Assert.True(result.Succeeded, MediaPipelines.Describe(result));
        var times = CollectSink<VideoFrame>.Of(name).Select(f => f.MediaSeconds).ToList();
        Assert.Equal(15, times.Count);
        Assert.Equal(Enumerable.Range(0, 15).Select(i => i / 10.0), times, (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public async Task Realtime_pace_plays_a_file_at_its_frame_rate()
    {
        var clip = _files.WriteClip("clip.avi", frames: 10, fps: 20);
        var name = MediaPipelines.Unique("pace");
        var clock = Stopwatch.StartNew();

        var result = await MediaPipelines.RunToEnd(Pipeline($"\"uri\": \"{clip}\", \"pace\": \"realtime\"", name));

        Assert.True(result.Succeeded, MediaPipelines.Describe(result));
        // 10 frames at 20 fps: the last is due 0.45 s after the first; as fast as possible takes a few ms.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.4), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task An_image_folder_and_a_glob_are_read_in_name_order()
    {
        var folder = _files.WriteImages("images", 5);
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not an image");
        File.Copy(Path.Combine(folder, "frame000.png"), Path.Combine(folder, "other000.png"));
        var byFolder = MediaPipelines.Unique("folder");
        var byGlob = MediaPipelines.Unique("glob");

        var first = await MediaPipelines.RunToEnd(Pipeline($"\"uri\": \"{folder}\", \"defaultFps\": 5", byFolder));
        var second = await MediaPipelines.RunToEnd(Pipeline($"\"uri\": \"{folder}/frame00?.png\"", byGlob));

        Assert.True(first.Succeeded, MediaPipelines.Describe(first));
        Assert.True(second.Succeeded, MediaPipelines.Describe(second));
        Assert.Equal([0.0, 0.2, 0.4, 0.6, 0.8, 1.0], CollectSink<VideoFrame>.Of(byFolder).Select(f => Math.Round(f.MediaSeconds, 3)));
        Assert.Equal(5, CollectSink<VideoFrame>.Of(byGlob).Count);
    }

    [Theory]
    [InlineData("/dev/video9", "/dev/video9")]
    [InlineData("7", "/dev/video7")]
    public async Task A_missing_camera_is_a_clear_error_naming_it(string uri, string named)
    {
        var result = await MediaPipelines.RunToEnd(Pipeline($"\"uri\": \"{uri}\"", MediaPipelines.Unique("camera")));

        Assert.False(result.Succeeded);
        var failure = Assert.Single(result.Failures);
        Assert.Equal("src", failure.StageId);
        Assert.Contains(named, failure.Error.Message);
        Assert.Contains("no such video device", failure.Error.Message);
    }

    [Fact]
    public async Task A_missing_file_and_an_undecodable_file_are_errors_naming_them()
    {
        var missing = _files["nothing-here.mp4"];
        var garbage = _files["garbage.mp4"];
        File.WriteAllBytes(garbage, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 31))]);

        var first = await MediaPipelines.RunToEnd(Pipeline($"\"uri\": \"{missing}\"", MediaPipelines.Unique("missing")));
        var second = await MediaPipelines.RunToEnd(Pipeline($"\"uri\": \"{garbage}\"", MediaPipelines.Unique("garbage")));

        Assert.Contains(missing, Assert.Single(first.Failures).Error.Message);
        Assert.Contains(garbage, Assert.Single(second.Failures).Error.Message);
    }

    [Fact]
    public async Task A_network_stream_served_by_ffmpeg_is_read_and_reconnected_to_while_the_server_starts()
    {
        var clip = _files.WriteClip("clip.avi", frames: 200, fps: 25);
        var port = FreePort();
        var name = MediaPipelines.Unique("network");
        // The source starts first and finds nobody listening: it must retry with backoff until ffmpeg serves.
        var run = MediaPipelines.RunToEnd(Pipeline($"\"uri\": \"tcp://127.0.0.1:{port}\", \"maxFrames\": 10, \"reconnectDelay\": \"100ms\", \"maxReconnectDelay\": \"500ms\", \"networkTimeout\": \"5s\"", name), TimeSpan.FromSeconds(90));
        await Task.Delay(300);
        using var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg", ["-v", "error", "-re", "-i", clip, "-c:v", "mpeg4", "-f", "mpegts", $"tcp://127.0.0.1:{port}?listen=1"])
        {
            RedirectStandardError = true,
            RedirectStandardInput = true,
        })!;
        try
        {
            var result = await run;

            Assert.True(result.Succeeded, MediaPipelines.Describe(result));
            var frames = CollectSink<VideoFrame>.Of(name);
            Assert.Equal(10, frames.Count);
            Assert.All(frames, f => Assert.Equal((96, 64), (f.Width, f.Height)));
        }
        finally
        {
            if (!ffmpeg.HasExited)
            {
                ffmpeg.Kill();
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
