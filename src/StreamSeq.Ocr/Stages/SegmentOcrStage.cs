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

    [Description("Torch intra-op threads (one setting per process: StreamSeq:TorchThreads, else the first model stage to start, sets it; 0: no preference)")]
    [Range(0, 256)]
    public int Threads { get; init; } = 1;
}

/// <summary>
/// Reads the line in each frame the LeCun–Bottou way: over-segmentation, a lattice of candidate segments scored
/// by the character network, Viterbi (under optional charset, pattern, word-list and character-LM constraints). One <see cref="OcrTranscript"/> per frame.
/// </summary>
[Stage("ocr.segment", Description = "Segmentation OCR of the line in each frame: over-segmentation, lattice of character-network-scored segments, Viterbi; text, confidences, boxes")]
public sealed class SegmentOcrStage : ModelStage<VideoFrame, OcrTranscript, SegmentModel>
{
    private readonly SegmentOcrOptions _options;
    private OcrConstraints _constraints = OcrConstraints.None;

    public SegmentOcrStage(SegmentOcrOptions options) => _options = options;

    protected override string ModelFolder => _options.Model;

    protected override int Threads => _options.Threads;

    protected override SegmentModel Load(string folder) => SegmentModel.Load(folder);

    protected override string Prepare(SegmentModel model, string folder, StageContext context)
    {
        _constraints = _options.BuildConstraints(model.Alphabet, context);
        return $"segmentation model {folder}: {model.Alphabet.Characters.Length} characters";
    }

    public override ValueTask ProcessAsync(Packet<VideoFrame> input, Emitter<OcrTranscript> output, CancellationToken cancellationToken)
    {
        var model = Model;
        var frame = input.Payload;
        var reading = model.Read(frame.Image, _constraints, _options.Nbest);
        if (!reading.HasReading && !_options.EmitNoReading)
        {
            return ValueTask.CompletedTask;
        }
        return output.EmitAsync(OcrTranscript.Of(reading, frame.Index, frame.MediaTime.TotalSeconds), cancellationToken);
    }
}
