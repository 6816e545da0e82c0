using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using StreamSeq.Actions.Model;
using StreamSeq.Learning;
using StreamSeq.Media;

namespace StreamSeq.Actions.Stages;

/// <summary>Which scores decide a prediction.</summary>
public enum ScoreSource
{
    /// <summary>The average of both streams (late fusion).</summary>
    Fused,

    /// <summary>The spatial stream only (appearance).</summary>
    Spatial,

    /// <summary>The temporal stream only (motion).</summary>
    Temporal,
}

/// <summary>Options of <c>action.twostream</c>.</summary>
public sealed class TwoStreamOptions
{
    [Description("Model folder written by 'streamseq train actions' (model.json, spatial.pt, temporal.pt)")]
    [RequiredOption]
    [PathMustExist(Directory = true)]
    public string Model { get; init; } = "";

    [Description("How many of the best classes each prediction lists")]
    [Range(1, 100)]
    public int TopK { get; init; } = 3;

    [Description("Which scores decide: fused, spatial or temporal")]
    public ScoreSource Scores { get; init; } = ScoreSource.Fused;

    [Description("Pooling of per-frame and per-stack scores over the clip: average or max")]
    public TemporalPooling Pooling { get; init; } = TemporalPooling.Average;

    [Description("Flow fields between the starts of consecutive flow stacks scored in a clip")]
    [Range(1, 1000)]
    public int Stride { get; init; } = 2;

    [Description("Torch intra-op threads (one setting per process: StreamSeq:TorchThreads, else the first model stage to start, sets it; 0: no preference)")]
    [Range(0, 256)]
    public int Threads { get; init; }
}

/// <summary>
/// Recognises the action in each clip (a window of frames that carry optical flow) with a two-stream
/// network: single frames through the spatial stream, stacks of flow fields through the temporal one,
/// scores pooled over the clip and fused. Emits one <see cref="Prediction"/> per clip with the top-k
/// classes and the clip's media-time span.
/// </summary>
[Stage("action.twostream", Description = "Two-stream action recognition over clips of flow frames (window.sliding over video.opticalflow): label, score, top-k, clip span")]
public sealed class TwoStreamStage : ModelStage<Window<FlowFrame>, Prediction, TwoStreamModel>
{
    private readonly TwoStreamOptions _options;
    private string _modelName = "";

    public TwoStreamStage(TwoStreamOptions options) => _options = options;

    protected override string ModelFolder => _options.Model;

    protected override int Threads => _options.Threads;

    protected override TwoStreamModel Load(string folder) => TwoStreamModel.Load(folder);

    protected override string Prepare(TwoStreamModel model, string folder, StageContext context)
    {
        _modelName = $"{Path.GetFileName(folder.TrimEnd('/'))}:{_options.Scores.ToString().ToLowerInvariant()}";
        return $"two-stream model {folder}: {model.Classes.Count} classes, flow stacks of {model.StackLength}";
    }

    public override ValueTask ProcessAsync(Packet<Window<FlowFrame>> input, Emitter<Prediction> output, CancellationToken cancellationToken)
    {
        var model = Model;
        var frames = input.Payload.Items.ToList();
        if (frames.Count < model.StackLength)
        {
            throw new InvalidDataException($"a clip of {frames.Count} flow frames is shorter than the model's flow stack ({model.StackLength}); make windows of at least {model.StackLength}");
        }
        var scores = model.Score(ClipTensors.FromFlowFrames(frames), _options.Pooling, _options.Stride);
        var chosen = _options.Scores switch
        {
            ScoreSource.Spatial => scores.Spatial,
            ScoreSource.Temporal => scores.Temporal,
            _ => scores.Fused,
        };
        var ranked = chosen.Select((score, index) => new ScoredLabel(model.Classes[index], Math.Round(score, 4)))
            .OrderByDescending(s => s.Score).Take(_options.TopK).ToList();
        var prediction = new Prediction(ranked[0].Label, ranked[0].Score, ranked,
            Math.Round(frames[0].MediaTime.TotalSeconds, 4), Math.Round(frames[^1].MediaTime.TotalSeconds, 4), _modelName);
        return output.EmitAsync(prediction, cancellationToken);
    }
}
