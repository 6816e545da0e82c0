using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using StreamSeq.Lattice;
using StreamSeq.Learning;
using StreamSeq.Media;
using StreamSeq.Ocr.Model;
using StreamSeq.Ocr.Segmentation;

namespace StreamSeq.Ocr.Stages;

/// <summary>Options of <c>ocr.segment</c>.</summary>
public sealed class SegmentOcrOptions
{
    [Description("Model folder written by 'streamseq train ocr-segment' (model.json, charnet.pt)")]
    [RequiredOption]
    [PathMustExist(Directory = true)]
    public string Model { get; init; } = "";

    [Description("Only these characters may be read (an acceptor intersected with the segmentation lattice); empty: any of the model's")]
    public string Charset { get; init; } = "";

    [Description("Emit frames with no reading too, with the reason; otherwise they are dropped")]
    public bool EmitNoReading { get; init; } = true;

    [Description("Torch intra-op threads for this stage (0: torch's default)")]
    [Range(0, 256)]
    public int Threads { get; init; } = 1;
}

/// <summary>
/// Reads the line in each frame the LeCun–Bottou way: over-segmentation, a lattice of candidate segments scored
/// by the character network, Viterbi (through an optional charset grammar). One <see cref="OcrTranscript"/> per frame.
/// </summary>
[Stage("ocr.segment", Description = "Segmentation OCR of the line in each frame: over-segmentation, lattice of character-network-scored segments, Viterbi; text, confidences, boxes")]
public sealed class SegmentOcrStage : TransformStage<VideoFrame, OcrTranscript>
{
    private readonly SegmentOcrOptions _options;
    private SegmentModel? _model;
    private Graph? _grammar;

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
            _grammar = _options.Charset.Length > 0 ? CtcDecoding.CharacterSetGrammar(_model.Alphabet, _options.Charset) : null;
        }
        catch (ArgumentException e)
        {
            _model.Dispose();
            _model = null;
            throw new InvalidDataException($"{context.StageId}: charset: {e.Message}", e);
        }
        context.Logger.LogInformation("{Stage}: segmentation model {Model}: {Classes} characters", context.StageId, folder, _model.Alphabet.Characters.Length);
        return ValueTask.CompletedTask;
    }

    public override ValueTask ProcessAsync(Packet<VideoFrame> input, Emitter<OcrTranscript> output, CancellationToken cancellationToken)
    {
        var model = _model ?? throw new InvalidOperationException("the stage was not started");
        var frame = input.Payload;
        var reading = model.Read(frame.Image, _grammar);
        if (!reading.HasReading && !_options.EmitNoReading)
        {
            return ValueTask.CompletedTask;
        }
        return output.EmitAsync(new OcrTranscript(reading.Text, reading.Confidence, reading.Chars, reading.NoReading, reading.Method,
            frame.Index, Math.Round(frame.MediaTime.TotalSeconds, 4)), cancellationToken);
    }

    public override ValueTask StopAsync()
    {
        _model?.Dispose();
        _model = null;
        return ValueTask.CompletedTask;
    }
}
