using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using StreamSeq.Audio.Vad;
using StreamSeq.Learning;
using StreamSeq.Speech.Decoding;
using StreamSeq.Speech.Model;

namespace StreamSeq.Speech.Stages;

/// <summary>Options of <c>speech.transcribe</c>.</summary>
public sealed class TranscribeOptions : IValidatableObject
{
    [Description("Model folder written by 'streamseq train speech' (model.json, speech.pt, tokenizer.json, lm.arpa)")]
    [RequiredOption]
    [PathMustExist(Directory = true)]
    public string Model { get; init; } = "";

    [Description("Decoder of final results: ctc-greedy, ctc-beam (with the model's LM), ctc-grammar (lattice Viterbi under the vocabulary's grammar), attention-greedy, attention-beam or joint-beam (attention beam rescored with CTC)")]
    public string Decoder { get; init; } = "ctc-beam";

    [Description("Emit partial results while an utterance goes on (on the VAD's partial events)")]
    public bool Partials { get; init; } = true;

    [Description("Decoder of partial results (ctc-greedy is the fastest; ctc-beam reads words the LM knows)")]
    public string PartialDecoder { get; init; } = "ctc-beam";

    [Description("Beam width of the beam decoders")]
    [Range(1, 256)]
    public int BeamSize { get; init; } = 8;

    [Description("Alternatives in each final result (beam decoders)")]
    [Range(1, 64)]
    public int NBest { get; init; } = 1;

    [Description("Weight of the model's character LM in ctc-beam (0: none)")]
    [Range(0.0, 10.0)]
    public double LmWeight { get; init; } = 0.5;

    [Description("Bonus per emitted character with the LM in ctc-beam")]
    [Range(-10.0, 10.0)]
    public double TokenBonus { get; init; } = 1.0;

    [Description("α of the length penalty ((5 + |Y|) / 6)^α in attention-beam")]
    [Range(0.0, 5.0)]
    public double LengthPenalty { get; init; } = 0.6;

    [Description("λ of joint-beam's score (1 - λ)·attention + λ·CTC")]
    [Range(0.0, 1.0)]
    public double CtcWeight { get; init; } = 0.3;

    [Description("Emit final results with no words too (e.g. a cough the VAD took for speech)")]
    public bool EmitEmpty { get; init; }

    [Description("Torch intra-op threads (one setting per process: StreamSeq:TorchThreads, else the first model stage to start, sets it; 0: no preference)")]
    [Range(0, 256)]
    public int Threads { get; init; } = 1;

    /// <summary>The decoding of final results.</summary>
    public SpeechDecoding FinalDecoding => new(SpeechDecoding.ParseDecoder(Decoder), BeamSize, NBest, LmWeight, TokenBonus, LengthPenalty, CtcWeight);

    /// <summary>The decoding of partial results.</summary>
    public SpeechDecoding PartialDecoding => new(SpeechDecoding.ParseDecoder(PartialDecoder), BeamSize, 1, LmWeight, TokenBonus, LengthPenalty, CtcWeight);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, value) in new[] { (nameof(Decoder), Decoder), (nameof(PartialDecoder), PartialDecoder) })
        {
            string? error = null;
            try
            {
                SpeechDecoding.ParseDecoder(value);
            }
            catch (ArgumentException e)
            {
                error = e.Message;
            }
            if (error is not null)
            {
                yield return new ValidationResult(error, [name]);
            }
        }
    }
}

/// <summary>
/// Transcribes the utterances <c>audio.vad</c> cuts from a live stream: a partial <see cref="Transcript"/> on
/// every partial event (the utterance so far, decoded again — the encoder is bidirectional) and a final one
/// when the utterance ends, with word times on the stream's media clock and confidences.
/// </summary>
[Stage("speech.transcribe", Description = "Speech recognition of VAD utterances: partial results while speaking, a final transcript per utterance with word times and confidences")]
public sealed class TranscribeStage : ModelStage<UtteranceEvent, Transcript, SpeechModel>
{
    private readonly TranscribeOptions _options;
    private SpeechDecoding? _final;
    private SpeechDecoding? _partial;
    private ILogger? _logger;
    private string _stageId = "";

    public TranscribeStage(TranscribeOptions options) => _options = options;

    protected override string ModelFolder => _options.Model;

    protected override int Threads => _options.Threads;

    protected override SpeechModel Load(string folder) => SpeechModel.Load(folder);

    protected override string Prepare(SpeechModel model, string folder, StageContext context)
    {
        _final = _options.FinalDecoding;
        _partial = _options.PartialDecoding;
        if ((_final.Decoder == SpeechDecoder.CtcGrammar || _partial.Decoder == SpeechDecoder.CtcGrammar) && model.Grammar is null)
        {
            throw new InvalidDataException($"{context.StageId}: decoder ctc-grammar: the model in {folder} has no grammar");
        }
        _logger = context.Logger;
        _stageId = context.StageId;
        return $"speech model {folder} ({model.ParameterCount:N0} parameters), final decoder {_final.Name(model.Lm is not null)}, partials {(_options.Partials ? _partial.Name(model.Lm is not null) : "off")}";
    }

    public override ValueTask ProcessAsync(Packet<UtteranceEvent> input, Emitter<Transcript> output, CancellationToken cancellationToken)
    {
        var model = Model;
        var utterance = input.Payload;
        var final = utterance.Kind == UtteranceEventKind.End;
        if (!final && !_options.Partials)
        {
            return ValueTask.CompletedTask;
        }
        var transcript = Transcribe(model, utterance, final ? _final! : _partial!, final);
        if (transcript.Words.Count == 0 && !(final && _options.EmitEmpty))
        {
            return ValueTask.CompletedTask;
        }
        return output.EmitAsync(transcript, cancellationToken);
    }

    private static Transcript Transcribe(SpeechModel model, UtteranceEvent utterance, SpeechDecoding decoding, bool final)
    {
        var audio = utterance.Audio.Span;
        var samples = utterance.SampleRate == SpeechModel.SampleRate
            ? audio
            : new StreamSeq.Audio.AudioBuffer(audio.ToArray(), utterance.SampleRate).Resample(SpeechModel.SampleRate).Samples;
        var features = SpeechModel.Featurize(samples);
        var transcript = model.Transcribe([features], decoding)[0];
        var start = (double)utterance.StartSample / utterance.SampleRate;
        return transcript with
        {
            Final = final,
            Utterance = utterance.UtteranceId,
            Start = Math.Round(start, 3),
            End = Math.Round((double)utterance.EndSample / utterance.SampleRate, 3),
            EndTime = utterance.EndTime,
            Words = [.. transcript.Words.Select(w => w with { Start = Math.Round(w.Start + start, 3), End = Math.Round(w.End + start, 3) })],
        };
    }

}
