using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using StreamSeq.Learning;
using StreamSeq.Media;
using StreamSeq.Ocr.Data;
using StreamSeq.Ocr.Model;

namespace StreamSeq.Ocr.Stages;

/// <summary>What <c>ocr.ctc</c> read in one frame.</summary>
/// <param name="Text">The transcription ("" with no reading).</param>
/// <param name="Confidence">Product of the character confidences.</param>
/// <param name="Chars">Characters with confidences and boxes in frame pixels.</param>
/// <param name="NoReading">Why nothing was read, or null.</param>
/// <param name="Method">Recogniser and decoder.</param>
/// <param name="Frame">The frame's number in its source.</param>
/// <param name="Time">The frame's media time, seconds.</param>
/// <param name="Agreement">With <c>vote</c> &gt; 1: the share of the last frames' readings that gave this text (1 otherwise).</param>
public sealed record OcrTranscript(string Text, double Confidence, IReadOnlyList<ReadChar> Chars, string? NoReading, string Method, long Frame, double Time, double Agreement = 1)
{
    /// <summary>The best distinct transcriptions with their lattice scores, when the stage's <c>nbest</c> asks for
    /// them (null otherwise; in JSON <c>nbest</c>).</summary>
    [System.Text.Json.Serialization.JsonPropertyName("nbest")]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<Alternative>? NBest { get; init; }

    /// <summary>The transcript of a reading in a frame.</summary>
    public static OcrTranscript Of(Reading reading, long frame, double time, double agreement = 1) =>
        new(reading.Text, reading.Confidence, reading.Chars, reading.NoReading, reading.Method, frame, Math.Round(time, 4), Math.Round(agreement, 4))
        {
            NBest = reading.NBest,
        };
}

/// <summary>The constraint options the OCR stages share (see <see cref="OcrConstraints"/>).</summary>
public interface IOcrConstraintOptions
{
    /// <summary>Characters that may be read.</summary>
    string Charset { get; }

    /// <summary>A pattern the whole transcription must match.</summary>
    string Pattern { get; }

    /// <summary>A word-list file.</summary>
    string Lexicon { get; }

    /// <summary>An ARPA character LM file.</summary>
    string Lm { get; }

    /// <summary>The LM weight.</summary>
    double LmWeight { get; }
}

/// <summary>Builds <see cref="OcrConstraints"/> from a stage's options.</summary>
public static class OcrConstraintOptions
{
    /// <summary>The constraints the options ask for, over <paramref name="alphabet"/>; paths resolved against the
    /// pipeline file.</summary>
    /// <exception cref="InvalidDataException">An option is invalid; the message names the stage and the option.</exception>
    public static OcrConstraints Build(this IOcrConstraintOptions options, OcrAlphabet alphabet, StageContext context)
    {
        try
        {
            return OcrConstraints.Build(alphabet, options.Charset, options.Pattern,
                options.Lexicon.Length > 0 ? context.ResolvePath(options.Lexicon) : null,
                options.Lm.Length > 0 ? context.ResolvePath(options.Lm) : null, options.LmWeight);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{context.StageId}: {e.Message}", e);
        }
    }
}

/// <summary>Options of <c>ocr.ctc</c>.</summary>
public sealed class CtcOcrOptions : IOcrConstraintOptions
{
    [Description("Model folder written by 'streamseq train ocr' (model.json, crnn.pt)")]
    [RequiredOption]
    [PathMustExist(Directory = true)]
    public string Model { get; init; } = "";

    [Description("Decoder: greedy (best path) or viterbi (lattice: emissions composed with the CTC topology)")]
    public CtcDecoder Decoder { get; init; } = CtcDecoder.Greedy;

    [Description("Only these characters may be read (a grammar composed with the CTC topology; implies viterbi), e.g. 0123456789; empty: any")]
    public string Charset { get; init; } = "";

    [Description("A pattern the whole transcription must match (literals, [0-9] classes, ., ?, *, +, {m,n}, | and groups; implies viterbi), e.g. [0-9]{3,8}; empty: none")]
    public string Pattern { get; init; } = "";

    [Description("Word-list file: readings are one or more of its words separated by single spaces (implies viterbi); empty: none")]
    [PathMustExist]
    public string Lexicon { get; init; } = "";

    [Description("ARPA character language model (characters, <sp> for a space) composed with the lattice, weighted by lmWeight (implies viterbi); empty: none")]
    [PathMustExist]
    public string Lm { get; init; } = "";

    [Description("Weight of the language model's log-probabilities against the recogniser's")]
    [Range(0.0, 100.0)]
    public double LmWeight { get; init; } = 0.5;

    [Description("Also list this many best distinct transcriptions with their lattice scores (nbest); 0: none")]
    [Range(0, 100)]
    public int Nbest { get; init; }

    [Description("Lattice decoding keeps per frame the classes within this many nats of the frame's best (0: all; the unconstrained best path always survives, and constraints that leave no path get the full lattice)")]
    [Range(0.0, 1000.0)]
    public double Beam { get; init; } = CtcDecoding.DefaultBeam;

    [Description("Emit frames with no reading too (blank or too large), with the reason; otherwise they are dropped")]
    public bool EmitNoReading { get; init; } = true;

    [Description("Video: report the text most of the last N frames read (ties go to the latest), so a line seen across frames gives one stable reading instead of flickering; 1 reads each frame alone")]
    [Range(1, 1000)]
    public int Vote { get; init; } = 1;

    [Description("Torch intra-op threads for this stage (0: torch's default)")]
    [Range(0, 256)]
    public int Threads { get; init; } = 1;
}

/// <summary>
/// Reads the line of text in each frame (crop the text region first with <c>video.crop</c>) with the CRNN +
/// CTC recogniser, decoded greedily or through the lattice library under an optional character-set grammar.
/// Emits one <see cref="OcrTranscript"/> per frame.
/// </summary>
[Stage("ocr.ctc", Description = "CRNN + CTC OCR of the text line in each frame (greedy or lattice Viterbi under optional charset, pattern, word list and character LM; n-best): text, confidence, character boxes")]
public sealed class CtcOcrStage : TransformStage<VideoFrame, OcrTranscript>
{
    private readonly CtcOcrOptions _options;
    private CrnnModel? _model;
    private CtcDecoding? _decoding;
    private readonly Queue<Reading> _recent = new();

    public CtcOcrStage(CtcOcrOptions options) => _options = options;

    public override ValueTask StartAsync(StageContext context, CancellationToken cancellationToken)
    {
        if (_options.Threads > 0)
        {
            TorchRuntime.Configure(seed: 0, _options.Threads);
        }
        var folder = context.ResolvePath(_options.Model);
        _model = CrnnModel.Load(folder);
        try
        {
            _decoding = new CtcDecoding(_model.Alphabet, _options.Decoder, _options.Build(_model.Alphabet, context), _options.Beam);
        }
        catch
        {
            _model.Dispose();
            _model = null;
            throw;
        }
        context.Logger.LogInformation("{Stage}: CRNN model {Model}: {Classes} characters, decoder {Decoder}", context.StageId, folder, _model.Alphabet.Characters.Length, _decoding.Name);
        return ValueTask.CompletedTask;
    }

    public override ValueTask ProcessAsync(Packet<VideoFrame> input, Emitter<OcrTranscript> output, CancellationToken cancellationToken)
    {
        var model = _model ?? throw new InvalidOperationException("the stage was not started");
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

    public override ValueTask StopAsync()
    {
        _model?.Dispose();
        _model = null;
        return ValueTask.CompletedTask;
    }
}
