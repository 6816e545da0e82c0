using System.Text.Json.Nodes;
using StreamSeq.Actions.Data;
using StreamSeq.Actions.Model;
using StreamSeq.Actions.Tests.Support;
using StreamSeq.Learning;
using StreamSeq.Media;
using StreamSeq.Media.Stages;
using TorchSharp;

namespace StreamSeq.Actions.Tests.Model;

public sealed class TwoStreamModelTests
{
    private static readonly string[] Three = ["left", "right", "still"];

    [Fact]
    public void Each_stream_maps_a_batch_to_class_logits()
    {
        TorchRuntime.Configure(1);
        using var model = TwoStreamModel.Create(ActionClasses.Motions, stackLength: 8);
        using var scope = torch.NewDisposeScope();

        var spatial = model.Spatial.forward(torch.zeros(5, 1, ClipFeatures.Side, ClipFeatures.Side));
        var temporal = model.Temporal.forward(torch.zeros(5, 16, ClipFeatures.Side, ClipFeatures.Side));

        Assert.Equal([5L, 9], spatial.shape);
        Assert.Equal([5L, 9], temporal.shape);
        Assert.Throws<ArgumentException>(() => model.Temporal.forward(torch.zeros(5, 4, ClipFeatures.Side, ClipFeatures.Side)));
    }

    [Fact]
    public void Scores_are_distributions_and_short_clips_are_refused()
    {
        TorchRuntime.Configure(1);
        using var model = TwoStreamModel.Create(Three, stackLength: 4);
        var clip = Clip(0, new Random(1), frames: 9);

        var scores = model.Score(clip);

        Assert.All(new[] { scores.Spatial, scores.Temporal, scores.Fused }, s => Assert.Equal(1.0, s.Sum(), 4));
        Assert.Equal(3, scores.Fused.Length);
        var max = model.Score(clip, TemporalPooling.Max);
        Assert.Equal(1.0, max.Temporal.Sum(), 4);
        var error = Assert.Throws<InvalidDataException>(() => model.Score(Clip(0, new Random(1), frames: 4)));
        Assert.Contains("at least 4", error.Message);
    }

    [Fact]
    public void Stacks_cover_the_clip_up_to_its_last_flow()
    {
        Assert.Equal([0, 2, 4, 6, 7], TwoStreamModel.StackStarts(15, 8, 2));
        Assert.Equal([0], TwoStreamModel.StackStarts(8, 8, 2));
    }

    [Fact]
    public void A_saved_model_loads_with_the_same_scores_and_its_tensors_are_all_released()
    {
        TorchRuntime.Configure(1);
        var folder = Path.Combine(Path.GetTempPath(), "streamseq-model-" + Guid.NewGuid().ToString("N"));
        var clip = Clip(1, new Random(2), frames: 12);
        var before = TensorLedger.Live;
        try
        {
            float[] expected;
            using (var model = TwoStreamModel.Create(Three, stackLength: 6))
            {
                expected = model.Score(clip).Fused;
                model.Save(folder, new JsonObject { ["seed"] = 1 }, new JsonObject());
            }
            using (var loaded = TwoStreamModel.Load(folder))
            {
                Assert.Equal(Three, loaded.Classes);
                Assert.Equal(6, loaded.StackLength);
                Assert.Equal(expected, loaded.Score(clip).Fused);
            }
            Assert.Equal(before, TensorLedger.Live);
            File.WriteAllText(Path.Combine(folder, "model.json"), """{ "kind": "ocr.crnn" }""");
            Assert.Contains("'actions.twostream' is needed", Assert.Throws<InvalidDataException>(() => TwoStreamModel.Load(folder)).Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void With_global_motion_the_temporal_stream_sees_four_planes_per_field_and_keeps_that_when_loaded()
    {
        TorchRuntime.Configure(1);
        var folder = Path.Combine(Path.GetTempPath(), "streamseq-model-" + Guid.NewGuid().ToString("N"));
        var clip = Clip(1, new Random(4), frames: 10);
        try
        {
            float[] expected;
            using (var model = TwoStreamModel.Create(Three, stackLength: 4, globalMotion: true))
            {
                Assert.Equal(16, model.Temporal.InputChannels);
                var input = model.StackInput(clip, 2);
                var field = 2 * ClipFeatures.PlaneSize;
                // Per field: its flow, then its global fit.
                Assert.Equal(clip.Temporal.AsSpan(3 * field, field).ToArray(), input.AsSpan(2 * field, field).ToArray());
                Assert.Equal(clip.Global.AsSpan(3 * field, field).ToArray(), input.AsSpan(3 * field, field).ToArray());
                expected = model.Score(clip).Fused;
                model.Save(folder, new JsonObject(), new JsonObject());
            }
            using var loaded = TwoStreamModel.Load(folder);
            Assert.True(loaded.UsesGlobalMotion);
            Assert.Equal(expected, loaded.Score(clip).Fused);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void With_appearance_the_temporal_stream_also_sees_the_stacks_first_frame()
    {
        TorchRuntime.Configure(1);
        var clip = Clip(2, new Random(5), frames: 10);
        using var model = TwoStreamModel.Create(Three, stackLength: 4, globalMotion: true, appearance: true);

        var input = model.StackInput(clip, 3);

        Assert.Equal(17, model.Temporal.InputChannels);
        Assert.Equal(17 * ClipFeatures.PlaneSize, input.Length);
        Assert.Equal(clip.Spatial.AsSpan(3 * ClipFeatures.PlaneSize, ClipFeatures.PlaneSize).ToArray(), input.AsSpan(16 * ClipFeatures.PlaneSize).ToArray());
        Assert.Equal(1.0, model.Score(clip).Temporal.Sum(), 4);
    }

    [Fact]
    public void A_short_training_run_learns_motion_that_no_single_frame_shows()
    {
        TorchRuntime.Configure(3);
        var labels = new[] { 0, 1, 8 }; // left, right, still in ActionClasses.Motions
        var random = new Random(9);
        var train = Enumerable.Range(0, 150).Select(i => (Clip(labels[i % 3], random, frames: 9, test: false), i % 3)).ToList();
        var test = Enumerable.Range(0, 30).Select(i => (Clip(labels[i % 3], random, frames: 9, test: true), i % 3)).ToList();
        using var model = TwoStreamModel.Create(Three, stackLength: 4);
        var untrained = TwoStreamEvaluator.Evaluate(model, test).Temporal.Accuracy;

        var logs = TwoStreamTrainer.Train(model, train, new TrainingSettings(Epochs: 15, BatchSize: 25, LearningRate: 3e-3, Seed: 3) { Spatial = false });
        var result = TwoStreamEvaluator.Evaluate(model, test);

        var temporal = Assert.Single(logs);
        Assert.True(temporal.Loss[^1] < temporal.Loss[0], $"temporal loss {string.Join(", ", temporal.Loss)}");
        Assert.True(result.Temporal.Accuracy >= 0.8, $"temporal accuracy {result.Temporal.Accuracy} (untrained {untrained})");
        Assert.Equal(30, result.Temporal.Confusion.Sum(r => r.Sum()));
    }

    private static ClipTensors Clip(int motion, Random random, int frames = MovingMnist.DefaultFrames, bool test = true)
    {
        var mats = MovingMnist.Render(MovingMnist.Draw(random, ActionVariant.Motion, motion, Digits.All, test, frames), frames);
        var decoded = mats.Select((m, i) => new VideoFrame(m, TimeSpan.FromSeconds(i / 30.0), i)).ToList();
        try
        {
            return ClipTensors.FromFrames(decoded, new OpticalFlowOptions());
        }
        finally
        {
            decoded.ForEach(f => f.Dispose());
        }
    }
}
