using System.Diagnostics;
using System.Text;
using System.Text.Json;
using StreamSeq.Actions.Tests.Support;
using StreamSeq.Learning;
using StreamSeq.Media;
using StreamSeq.Pipelines;
using StreamSeq.Registry;
using StreamSeq.Runtime;

namespace StreamSeq.Actions.Tests.Stages;

public sealed class ActionPipelineTests
{
    private static StageRegistry Registry()
    {
        var registry = StageRegistry.CreateDefault();
        registry.AddAssembly(typeof(VideoFrame).Assembly, "built-in");
        registry.AddAssembly(typeof(StreamSeq.Actions.Stages.TwoStreamStage).Assembly, "built-in");
        return registry;
    }

    [Fact]
    public async Task The_shipped_pipeline_recognises_the_sample_video_and_frees_every_frame_and_tensor()
    {
        var output = Path.Combine(Path.GetTempPath(), "streamseq-actions-" + Guid.NewGuid().ToString("N"));
        var overrides = new[]
        {
            PipelineOverride.Parse("log.path=" + Path.Combine(output, "actions.jsonl")),
            PipelineOverride.Parse("video.path=" + Path.Combine(output, "actions.mp4")),
        };
        var diagnostics = new List<PipelineDiagnostic>();
        var plan = PipelineLoader.TryLoad(RepoPaths.Combine("pipelines", "action-recognition.json"), Registry(), diagnostics, overrides, RepoPaths.Root);
        Assert.True(plan is not null, string.Join(Environment.NewLine, diagnostics));
        var tensorsBefore = TensorLedger.Live;
        try
        {
            var result = await PipelineRun.Start(plan!).Completion.WaitAsync(TimeSpan.FromMinutes(3));

            Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Failures.Select(f => $"{f.StageId}: {f.Error}")));
            Assert.Equal(0, VideoFrame.Live);
            Assert.Equal(tensorsBefore, TensorLedger.Live);

            var truth = JsonDocument.Parse(File.ReadAllText(RepoPaths.Combine("samples", "actions.mp4.labels.json"))).RootElement.EnumerateArray()
                .Select(s => (Label: s.GetProperty("label").GetString()!, Start: s.GetProperty("start").GetDouble(), End: s.GetProperty("end").GetDouble())).ToList();
            var predictions = File.ReadAllLines(Path.Combine(output, "actions.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("payload")).ToList();
            // One prediction per 16 flow frames; the sample has 16 frames per segment, so one frame fewer flows.
            Assert.Equal(((truth.Count * 16) - 1) / 16, predictions.Count);
            var correct = 0;
            foreach (var prediction in predictions)
            {
                var start = prediction.GetProperty("start").GetDouble();
                var end = prediction.GetProperty("end").GetDouble();
                Assert.Equal(3, prediction.GetProperty("topk").GetArrayLength());
                // The segment that covers most of the clip is its true label.
                var label = truth.MaxBy(s => Math.Min(end, s.End) - Math.Max(start, s.Start)).Label;
                correct += prediction.GetProperty("label").GetString() == label ? 1 : 0;
            }
            Assert.True(correct >= predictions.Count * 0.8, $"{correct} of {predictions.Count} clips right");

            var frames = await CountFrames(Path.Combine(output, "actions.mp4"));
            Assert.Equal(truth.Count * 16 - 1, frames);
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    [Fact]
    public async Task The_shipped_pipeline_behind_a_live_tcp_stream_writes_its_video_at_the_streams_rate()
    {
        var output = Path.Combine(Path.GetTempPath(), "streamseq-actions-live-" + Guid.NewGuid().ToString("N"));
        var port = FreePort();
        // ffmpeg serves the sample live at 25 fps. The annotated video waits for predictions, so the sink opens its
        // writer with a second of frames in hand, the first of them the burst ffmpeg buffered while probing: the
        // rate once measured there (282.566 fps) made MPEG-4 refuse to open and stopped the pipeline after 2 s.
        using var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg", ["-v", "error", "-re", "-stream_loop", "-1", "-i", RepoPaths.Combine("samples", "actions.mp4"), "-vf", "fps=25", "-c:v", "mpeg4", "-f", "mpegts", $"tcp://127.0.0.1:{port}?listen=1"])
        {
            RedirectStandardError = true,
            RedirectStandardInput = true,
        })!;
        var overrides = new[]
        {
            PipelineOverride.Parse($"camera.uri=tcp://127.0.0.1:{port}"),
            PipelineOverride.Parse("camera.maxFrames=65"),
            PipelineOverride.Parse("camera.reconnectDelay=100ms"),
            PipelineOverride.Parse("log.path=" + Path.Combine(output, "actions.jsonl")),
            PipelineOverride.Parse("video.path=" + Path.Combine(output, "live.mp4")),
        };
        var diagnostics = new List<PipelineDiagnostic>();
        var plan = PipelineLoader.TryLoad(RepoPaths.Combine("pipelines", "action-recognition.json"), Registry(), diagnostics, overrides, RepoPaths.Root);
        Assert.True(plan is not null, string.Join(Environment.NewLine, diagnostics));
        try
        {
            var result = await PipelineRun.Start(plan!).Completion.WaitAsync(TimeSpan.FromMinutes(3));

            Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Failures.Select(f => $"{f.StageId}: {f.Error}")));
            Assert.Equal(4, File.ReadAllLines(Path.Combine(output, "actions.jsonl")).Length);
            Assert.Equal("25/1", await Probe(Path.Combine(output, "live.mp4"), "stream=r_frame_rate"));
            Assert.Equal(64, await CountFrames(Path.Combine(output, "live.mp4")));
            Assert.Equal(0, VideoFrame.Live);
        }
        finally
        {
            if (!ffmpeg.HasExited)
            {
                ffmpeg.Kill();
            }
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> Probe(string path, string entries)
    {
        using var probe = Process.Start(new ProcessStartInfo("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", entries, "-of", "csv=p=0", path])
        {
            RedirectStandardOutput = true,
        })!;
        var text = await probe.StandardOutput.ReadToEndAsync();
        await probe.WaitForExitAsync();
        return text.Trim();
    }

    private static async Task<int> CountFrames(string path)
    {
        using var probe = Process.Start(new ProcessStartInfo("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path])
        {
            RedirectStandardOutput = true,
        })!;
        var text = await probe.StandardOutput.ReadToEndAsync();
        await probe.WaitForExitAsync();
        return int.Parse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
