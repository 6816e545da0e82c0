using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using StreamSeq.Learning;
using StreamSeq.Media;
using StreamSeq.Ocr.Model;
using StreamSeq.Ocr.Segmentation;

namespace StreamSeq.Ocr.Stages;

/// <summary>Options of <c>ocr.segment</c>.</summary>
public sealed class SegmentOcrOptions : IOcrConstraintOptions
{
    [Description("Model folder written by 'streamseq train ocr-segment' (model.json, charnet.pt)")]
    [RequiredOption]
    [PathMustExist(Directory = true)]
    public string Model { get; init; } = "";

    [Description("Only these characters may be read (an acceptor intersected with the segmentation lattice); empty: any of the model's")]
    public string Charset { get; init; } = "";

    [Description("A pattern the whole transcription must match (literals, [0-9] classes, ., ?, *, +, {m,n}, | and groups), e.g. [0-9]{3,8}; empty: none")]
    public string Pattern { get; init; } = "";

    [Description("Word-list file: readings are one or more of its words separated by single spaces; empty: none")]
    [PathMustExist]
    public string Lexicon { get; init; } = "";

    [Description("ARPA character language model composed with the segmentation lattice, weighted by lmWeight; empty: none")]
    [PathMustExist]
    public string Lm { get; init; } = "";

    [Description("Weight of the language model's log-probabilities against the character network's")]
    [Range(0.0, 100.0)]
    public double LmWeight { get; init; } = 0.5;

    [Description("Also list this many best distinct transcriptions with their lattice scores (nbest); 0: none")]
    [Range(0, 100)]
    public int Nbest { get; init; }

    [Description("Emit frames with no reading too, with the reason; otherwise they are dropped")]
    public bool EmitNoReading { get; init; } = true;

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
            _constraints = _options.Build(_model.Alphabet, context);
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
