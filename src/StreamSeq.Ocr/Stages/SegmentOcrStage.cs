using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using StreamSeq.Learning;
using StreamSeq.Media;
using StreamSeq.Ocr.Model;
using StreamSeq.Ocr.Segmentation;

namespace StreamSeq.Ocr.Stages;

/// <summary>Options of <c>ocr.segment</c>.</summary>
public sealed class SegmentOcrOptions : OcrReadingOptions
{
    [Description("Model folder written by 'streamseq train ocr-segment' (model.json, charnet.pt)")]
    [RequiredOption]
    [PathMustExist(Directory = true)]
    public string Model { get; init; } = "";

    [Description("Torch intra-op threads for this stage (0: torch's default)")]
    [Range(0, 256)]
    public int Threads { get; init; } = 1;
}

/// <summary>
/// Reads the line in each frame the LeCun–Bottou way: over-segmentation, a lattice of candidate segments scored
/// by the character network, Viterbi (under optional charset, pattern, word-list and character-LM constraints). One <see cref="OcrTranscript"/> per frame.
/// </summary>
[Stage("ocr.segment", Description = "Segmentation OCR of the line in each frame: over-segmentation, lattice of character-network-scored segments, Viterbi; text, confidences, boxes")]
public sealed class SegmentOcrStage : TransformStage<VideoFrame, OcrTranscript>
{
    private readonly SegmentOcrOptions _options;
    private SegmentModel? _model;
    private OcrConstraints _constraints = OcrConstraints.None;

    public SegmentOcrStage(SegmentOcrOptions options) => _options = options;

    public override ValueTask StartAsync(StageContext context, CancellationToken cancellationToken)
    {
        if (_options.Threads > 0)
        {
            TorchRuntime.Configure(seed: 0, _options.Threads);
        }
        var folder = context.ResolvePath(_options.Model);
        _model = SegmentModel.Load(folder);
        try
        {
            _constraints = _options.BuildConstraints(_model.Alphabet, context);
        }
        catch
        {
            _model.Dispose();
            _model = null;
            throw;
        }
        context.Logger.LogInformation("{Stage}: segmentation model {Model}: {Classes} characters", context.StageId, folder, _model.Alphabet.Characters.Length);
        return ValueTask.CompletedTask;
    }

    public override ValueTask ProcessAsync(Packet<VideoFrame> input, Emitter<OcrTranscript> output, CancellationToken cancellationToken)
    {
        var model = _model ?? throw new InvalidOperationException("the stage was not started");
        var frame = input.Payload;
        var reading = model.Read(frame.Image, _constraints, _options.Nbest);
        if (!reading.HasReading && !_options.EmitNoReading)
        {
            return ValueTask.CompletedTask;
        }
        return output.EmitAsync(OcrTranscript.Of(reading, frame.Index, frame.MediaTime.TotalSeconds), cancellationToken);
    }

    public override ValueTask StopAsync()
    {
        _model?.Dispose();
        _model = null;
        return ValueTask.CompletedTask;
    }
}
