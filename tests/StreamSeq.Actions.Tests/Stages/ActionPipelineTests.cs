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
