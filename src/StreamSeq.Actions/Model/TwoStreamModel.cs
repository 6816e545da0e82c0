using System.Text.Json.Nodes;
using StreamSeq.Learning;
using TorchSharp;
using static TorchSharp.torch;

namespace StreamSeq.Actions.Model;

/// <summary>How per-frame or per-stack scores of a clip are pooled over time.</summary>
public enum TemporalPooling
{
    /// <summary>Mean of the class probabilities.</summary>
    Average,

    /// <summary>Per-class maximum, renormalised.</summary>
    Max,
}

/// <summary>Class probabilities of one clip from each stream and fused.</summary>
/// <param name="Spatial">The spatial stream's, pooled over the clip's frames.</param>
/// <param name="Temporal">The temporal stream's, pooled over the clip's flow stacks.</param>
/// <param name="Fused">Late fusion: the average of the two.</param>
public sealed record StreamScores(float[] Spatial, float[] Temporal, float[] Fused);

/// <summary>
/// The two-stream action recogniser (Simonyan &amp; Zisserman 2014) at the scale of these data: a spatial
/// network over single frames and a temporal network over stacks of <see cref="StackLength"/> optical-flow
/// fields, each pooled over the clip, fused by averaging class probabilities. Owns its networks' tensors.
/// </summary>
public sealed class TwoStreamModel : IDisposable
{
    public const string Kind = "actions.twostream";

    private bool _disposed;

    private TwoStreamModel(IReadOnlyList<string> classes, int stackLength, int width, bool globalMotion, bool appearance, Checkpoint? checkpoint)
    {
        TorchRuntime.EnsureLoaded();
        Classes = classes;
        StackLength = stackLength;
        Width = width;
        UsesGlobalMotion = globalMotion;
        UsesAppearance = appearance;
        Checkpoint = checkpoint;
        Spatial = new StreamNet("spatial", 1, classes.Count, width);
        Temporal = new StreamNet("temporal", TemporalChannels, classes.Count, width);
        TensorCount = Spatial.parameters().Count() + Spatial.buffers().Count() + Temporal.parameters().Count() + Temporal.buffers().Count();
        TensorLedger.Add(TensorCount);
    }

    public IReadOnlyList<string> Classes { get; }

    /// <summary>L: flow fields per temporal-stream input.</summary>
    public int StackLength { get; }

    /// <summary>Channels of the first conv layer.</summary>
    public int Width { get; }

    /// <summary>
    /// Whether the temporal stream also sees each field's global (camera) motion, fitted robustly
    /// (<see cref="GlobalMotion"/>): four planes per field (dx, dy, global dx, global dy) instead of two.
    /// </summary>
    public bool UsesGlobalMotion { get; }

    /// <summary>Temporal-stream planes per flow field.</summary>
    public int PlanesPerFlow => UsesGlobalMotion ? 4 : 2;

    /// <summary>
    /// Whether the temporal stream also sees the gray frame at the start of each stack: what the scene looks like
    /// tells a digit moved over a dark background (Moving-MNIST: the object's motion is the label) from a person
    /// walking through a static real scene (the camera's motion is the label, here none).
    /// </summary>
    public bool UsesAppearance { get; }

    /// <summary>Input channels of the temporal stream.</summary>
    public int TemporalChannels => (PlanesPerFlow * StackLength) + (UsesAppearance ? 1 : 0);

    public StreamNet Spatial { get; }

    public StreamNet Temporal { get; }

    /// <summary>What the model was loaded from, if it was.</summary>
    public Checkpoint? Checkpoint { get; }

    private int TensorCount { get; }

    /// <summary>A freshly initialised model (weights from torch's seeded generator).</summary>
    public static TwoStreamModel Create(IReadOnlyList<string> classes, int stackLength = 8, int width = 16, bool globalMotion = false, bool appearance = false)
    {
        if (classes.Count < 2)
        {
            throw new ArgumentException("a classifier needs at least 2 classes", nameof(classes));
        }
        if (stackLength < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(stackLength), "the flow stack holds at least one field");
        }
        return new TwoStreamModel(classes, stackLength, width, globalMotion, appearance, null);
    }

    /// <summary>Loads a model folder written by <see cref="Save"/>.</summary>
    public static TwoStreamModel Load(string folder)
    {
        var checkpoint = Checkpoint.Load(folder, Kind);
        var stack = checkpoint.Settings["stackLength"]?.GetValue<int>() ?? throw new InvalidDataException($"{folder}: model.json lacks settings.stackLength");
        var width = checkpoint.Settings["width"]?.GetValue<int>() ?? 16;
        var globalMotion = checkpoint.Settings["globalMotion"]?.GetValue<bool>() ?? false;
        var appearance = checkpoint.Settings["appearance"]?.GetValue<bool>() ?? false;
        var model = new TwoStreamModel(checkpoint.Classes, stack, width, globalMotion, appearance, checkpoint);
        ModelWeights.Load(folder, model, (model.Spatial, "spatial.pt"), (model.Temporal, "temporal.pt"));
        return model;
    }

    /// <summary>Writes the weights and <c>model.json</c> into <paramref name="folder"/>.</summary>
    public void Save(string folder, JsonObject training, JsonObject metrics)
    {
        Directory.CreateDirectory(folder);
        Spatial.save(Path.Combine(folder, "spatial.pt"));
        Temporal.save(Path.Combine(folder, "temporal.pt"));
        new Checkpoint
        {
            Kind = Kind,
            Classes = Classes,
            Settings = new JsonObject
            {
                ["stackLength"] = StackLength,
                ["width"] = Width,
                ["gridSide"] = Model.ClipFeatures.Side,
                ["frameSide"] = Data.MovingMnist.FrameSide,
                ["flow"] = "farneback (video.opticalflow defaults) on gray frames of frameSide², resized to gridSide²",
                ["globalMotion"] = UsesGlobalMotion,
                ["appearance"] = UsesAppearance,
                ["fusion"] = "average of class probabilities",
            },
            Training = training,
            Metrics = metrics,
        }.Save(folder);
    }

    /// <summary>
    /// Scores one clip: every frame through the spatial stream, flow stacks every <paramref name="stride"/>
    /// steps through the temporal stream, each pooled over time, then fused.
    /// </summary>
    public StreamScores Score(ClipTensors clip, TemporalPooling pooling = TemporalPooling.Average, int stride = 2)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (clip.Flows < StackLength)
        {
            throw new InvalidDataException($"a clip of {clip.Frames} frames has {clip.Flows} flow fields; the temporal stream needs at least {StackLength} (make windows of at least {StackLength + 1} frames)");
        }
        return TensorLedger.Measure(() =>
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            Spatial.eval();
            Temporal.eval();
            var frames = torch.tensor(clip.Spatial, [clip.Frames, 1, ClipFeatures.Side, ClipFeatures.Side]);
            var spatial = Pool(torch.nn.functional.softmax(Spatial.forward(frames), 1), pooling);
            var starts = StackStarts(clip.Flows, StackLength, stride);
            var stacks = torch.stack(starts.Select(s => StackTensor(clip, s)).ToArray());
            var temporal = Pool(torch.nn.functional.softmax(Temporal.forward(stacks), 1), pooling);
            var fused = (spatial + temporal) / 2;
            return new StreamScores(spatial.data<float>().ToArray(), temporal.data<float>().ToArray(), fused.data<float>().ToArray());
        });
    }

    /// <summary>Offsets of the flow stacks scored in a clip of <paramref name="flows"/> fields (the last stack always ends at the clip's end).</summary>
    public static IReadOnlyList<int> StackStarts(int flows, int stackLength, int stride)
    {
        var starts = new List<int>();
        for (var s = 0; s + stackLength <= flows; s += Math.Max(1, stride))
        {
            starts.Add(s);
        }
        if (starts[^1] != flows - stackLength)
        {
            starts.Add(flows - stackLength);
        }
        return starts;
    }

    /// <summary>The temporal input [<see cref="TemporalChannels"/>, Side, Side] of the stack starting at flow <paramref name="start"/>.</summary>
    internal Tensor StackTensor(ClipTensors clip, int start)
        => torch.tensor(StackInput(clip, start), [TemporalChannels, ClipFeatures.Side, ClipFeatures.Side]);

    /// <summary>The temporal stream's input for the stack starting at flow <paramref name="start"/>, as floats (training samples it the same way).</summary>
    public float[] StackInput(ClipTensors clip, int start)
    {
        var field = 2 * ClipFeatures.PlaneSize;
        var result = new float[TemporalChannels * ClipFeatures.PlaneSize];
        if (!UsesGlobalMotion)
        {
            clip.Temporal.AsSpan(start * field, StackLength * field).CopyTo(result);
        }
        else
        {
            var global = clip.Global;
            for (var k = 0; k < StackLength; k++)
            {
                clip.Temporal.AsSpan((start + k) * field, field).CopyTo(result.AsSpan(k * 2 * field, field));
                global.AsSpan((start + k) * field, field).CopyTo(result.AsSpan((k * 2 * field) + field, field));
            }
        }
        if (UsesAppearance)
        {
            clip.Spatial.AsSpan(start * ClipFeatures.PlaneSize, ClipFeatures.PlaneSize).CopyTo(result.AsSpan(PlanesPerFlow * StackLength * ClipFeatures.PlaneSize));
        }
        return result;
    }

    private static Tensor Pool(Tensor probabilities, TemporalPooling pooling)
    {
        if (pooling == TemporalPooling.Average)
        {
            return probabilities.mean([0]);
        }
        var max = probabilities.max(0).values;
        return max / max.sum();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        Spatial.Dispose();
        Temporal.Dispose();
        TensorLedger.Add(-TensorCount);
    }
}
