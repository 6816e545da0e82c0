using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using OpenCvSharp;
using StreamSeq.Media.Tests.Support;

namespace StreamSeq.Media.Tests.Stages;

public sealed class VideoSinkTests : IDisposable
{
    private readonly MediaFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Behind_a_live_tcp_source_the_video_is_written_at_the_streams_nominal_rate()
    {
        var clip = _files.WriteClip("clip.avi", frames: 250, fps: 25);
        var output = _files["out/live.mp4"];
        var port = FreePort();
        // -re: ffmpeg serves at the clip's rate, as a camera would; the source frames arrive on the run's clock.
        using var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg", ["-v", "error", "-re", "-i", clip, "-c:v", "mpeg4", "-f", "mpegts", $"tcp://127.0.0.1:{port}?listen=1"])
        {
            RedirectStandardError = true,
            RedirectStandardInput = true,
        })!;
        try
        {
            var result = await MediaPipelines.RunToEnd($$"""
                { "name": "t", "stages": [
                  { "id": "src", "type": "video.source", "options": { "uri": "tcp://127.0.0.1:{{port}}", "maxFrames": 40, "reconnectDelay": "100ms", "maxReconnectDelay": "500ms", "networkTimeout": "5s" } },
                  { "id": "video", "type": "sink.video", "inputs": { "frames": "src" }, "options": { "path": "{{output}}" } } ] }
                """, TimeSpan.FromSeconds(90));

            Assert.True(result.Succeeded, MediaPipelines.Describe(result));
            Assert.Equal("25/1,40", await Probe(output, "stream=r_frame_rate,nb_read_frames"));
            Assert.Equal(0, VideoFrame.Live);
        }
        finally
        {
            if (!ffmpeg.HasExited)
            {
                ffmpeg.Kill();
            }
        }
    }

    [Fact]
    public async Task Frames_kept_one_in_n_are_written_at_the_source_rate_over_n()
    {
        var clip = _files.WriteClip("clip.avi", frames: 30, fps: 25);
        var output = _files["out/every.mp4"];

        var result = await MediaPipelines.RunToEnd($$"""
            { "name": "t", "stages": [
              { "id": "src", "type": "video.source", "options": { "uri": "{{clip}}" } },
              { "id": "every", "type": "video.every", "input": "src", "options": { "n": 5 } },
              { "id": "video", "type": "sink.video", "inputs": { "frames": "every" }, "options": { "path": "{{output}}" } } ] }
            """);

        Assert.True(result.Succeeded, MediaPipelines.Describe(result));
        Assert.Equal("5/1,6", await Probe(output, "stream=r_frame_rate,nb_read_frames"));
    }

    [Fact]
    public async Task A_frame_rate_the_codec_refuses_is_named_as_the_cause_not_the_extension()
    {
        var clip = _files.WriteClip("clip.avi", frames: 5);
        // 282.566 fps is what the old estimate read off a live stream's first burst: MPEG-4 needs a time base
        // denominator of at most 65535 and OpenCV asks for 282566/1000.
        var result = await MediaPipelines.RunToEnd(Sink(clip, _files["out/fast.mp4"], "\"fps\": 282.566"));

        var failure = Assert.Single(result.Failures);
        Assert.Equal("video", failure.StageId);
        Assert.Contains("refuses 282.566 fps", failure.Error.Message);
        Assert.Contains("the sink's fps option", failure.Error.Message);
        Assert.DoesNotContain("extension", failure.Error.Message);
        Assert.Equal(0, VideoFrame.Live);
    }

    [Fact]
    public async Task A_codec_that_does_not_fit_the_container_is_named_as_the_cause()
    {
        var clip = _files.WriteClip("clip.avi", frames: 5);

        var result = await MediaPipelines.RunToEnd(Sink(clip, _files["out/video.unknownformat"], "\"fps\": 25"));

        var failure = Assert.Single(result.Failures);
        Assert.Contains("is the extension right", failure.Error.Message);
        Assert.DoesNotContain("fps", failure.Error.Message);
    }

    [Fact]
    public void The_rate_comes_from_the_source_over_the_index_step_and_ignores_a_burst_of_arrival_times()
    {
        // A live stream: ten frames buffered while ffmpeg probed arrive 0.1 ms apart, then one every 40 ms.
        var times = Enumerable.Range(0, 50).Select(i => i < 10 ? i * 1e-4 : 1e-3 + ((i - 9) * 0.04)).ToList();
        using var images = new DisposableList();

        var live = Frames(images, times, index => index, sourceFps: 25);
        var (fps, origin) = FrameRate.Of(live[0], live.Skip(1));
        Assert.Equal(25, fps);
        Assert.Contains("nominal 25 fps", origin);

        var everyThird = Frames(images, times, index => index * 3, sourceFps: 30);
        Assert.Equal(10, FrameRate.Of(everyThird[0], everyThird.Skip(1)).Fps);

        // Without a nominal rate the median step of the media times still skips the burst (one pair alone would say 10,000 fps).
        var unknown = Frames(images, times, index => index, sourceFps: 0);
        Assert.Equal(25, FrameRate.Of(unknown[0], unknown.Skip(1)).Fps, 6);
        Assert.Equal(30, FrameRate.Of(unknown[0], unknown.Skip(1).Take(1)).Fps);
        Assert.Equal(30, FrameRate.Of(unknown[0], []).Fps);
    }

    private static List<VideoFrame> Frames(DisposableList owner, IReadOnlyList<double> times, Func<int, long> index, double sourceFps)
    {
        var frames = times.Select((t, i) => new VideoFrame(new Mat(2, 2, MatType.CV_8UC1), TimeSpan.FromSeconds(t), index(i)) { SourceFps = sourceFps }).ToList();
        owner.AddRange(frames);
        return frames;
    }

    private static string Sink(string clip, string output, string options) => $$"""
        { "name": "t", "stages": [
          { "id": "src", "type": "video.source", "options": { "uri": "{{clip}}" } },
          { "id": "video", "type": "sink.video", "inputs": { "frames": "src" }, "options": { "path": "{{output}}", {{options}} } } ] }
        """;

    private static async Task<string> Probe(string path, string entries)
    {
        using var probe = Process.Start(new ProcessStartInfo("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", entries, "-of", "csv=p=0", path])
        {
            RedirectStandardOutput = true,
        })!;
        var text = await probe.StandardOutput.ReadToEndAsync();
        await probe.WaitForExitAsync();
        return text.Trim();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class DisposableList : List<VideoFrame>, IDisposable
    {
        public void Dispose() => ForEach(f => f.Dispose());
    }
}
