using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using StreamSeq.Learning;
using StreamSeq.Media;
using StreamSeq.Ocr.Data;
using StreamSeq.Ocr.Model;

namespace StreamSeq.Ocr.Stages;

/// <summary>Options of <c>ocr.ctc</c>.</summary>
public sealed class CtcOcrOptions : OcrReadingOptions
{
    [Description("Model folder written by 'streamseq train ocr' (model.json, crnn.pt)")]
    [RequiredOption]
    [PathMustExist(Directory = true)]
    public string Model { get; init; } = "";

    [Description("Decoder: greedy (best path) or viterbi (lattice: emissions composed with the CTC topology)")]
    public CtcDecoder Decoder { get; init; } = CtcDecoder.Greedy;

    [Description("Lattice decoding keeps per frame the classes within this many nats of the frame's best (0: all; the unconstrained best path always survives, and constraints that leave no path get the full lattice)")]
    [Range(0.0, 1000.0)]
    public double Beam { get; init; } = CtcDecoding.DefaultBeam;

    [Description("Video: report the text most of the last N frames read (ties go to the latest), so a line seen across frames gives one stable reading instead of flickering; 1 reads each frame alone")]
    [Range(1, 1000)]
    public int Vote { get; init; } = 1;

    [Description("Torch intra-op threads (one setting per process: StreamSeq:TorchThreads, else the first model stage to start, sets it; 0: no preference)")]
    [Range(0, 256)]
    public int Threads { get; init; } = 1;
}

/// <summary>
/// Reads the line of text in each frame (crop the text region first with <c>video.crop</c>) with the CRNN +
/// CTC recogniser, decoded greedily or through the lattice library under an optional character-set grammar.
/// Emits one <see cref="OcrTranscript"/> per frame.
/// </summary>
[Stage("ocr.ctc", Description = "CRNN + CTC OCR of the text line in each frame (greedy or lattice Viterbi under optional charset, pattern, word list and character LM; n-best): text, confidence, character boxes")]
public sealed class CtcOcrStage : ModelStage<VideoFrame, OcrTranscript, CrnnModel>
{
    private readonly CtcOcrOptions _options;
    private CtcDecoding? _decoding;
    private readonly Queue<Reading> _recent = new();

    public CtcOcrStage(CtcOcrOptions options) => _options = options;

    protected override string ModelFolder => _options.Model;

    protected override int Threads => _options.Threads;

    protected override CrnnModel Load(string folder) => CrnnModel.Load(folder);

    protected override string Prepare(CrnnModel model, string folder, StageContext context)
    {
        _decoding = new CtcDecoding(model.Alphabet, _options.Decoder, _options.BuildConstraints(model.Alphabet, context), _options.Beam);
        return $"CRNN model {folder}: {model.Alphabet.Characters.Length} characters, decoder {_decoding.Name}";
    }

    public override ValueTask ProcessAsync(Packet<VideoFrame> input, Emitter<OcrTranscript> output, CancellationToken cancellationToken)
    {
        var model = Model;
        var frame = input.Payload;
        var reading = model.Read(frame.Image, _decoding!, _options.Nbest);
        var agreement = 1.0;
        if (_options.Vote > 1)
        {
            (reading, agreement) = Vote(reading);
        }
        if (!reading.HasReading && !_options.EmitNoReading)
        {
            return ValueTask.CompletedTask;
        }
        return output.EmitAsync(OcrTranscript.Of(reading, frame.Index, frame.MediaTime.TotalSeconds, agreement), cancellationToken);
    }

    /// <summary>The reading of the text most of the last <c>vote</c> frames gave (the latest such reading), and its share.</summary>
    private (Reading Reading, double Agreement) Vote(Reading latest)
    {
        _recent.Enqueue(latest);
        while (_recent.Count > _options.Vote)
        {
            _recent.Dequeue();
        }
        var readings = _recent.ToList();
        var best = readings.GroupBy(r => r.Text)
            .Select(g => (Text: g.Key, Count: g.Count(), Last: readings.FindLastIndex(r => r.Text == g.Key)))
            .OrderByDescending(g => g.Count).ThenByDescending(g => g.Last).First();
        return (readings[best.Last], best.Count / (double)readings.Count);
    }

    protected override void Release() => _recent.Clear();
}
