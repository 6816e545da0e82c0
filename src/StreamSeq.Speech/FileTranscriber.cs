using StreamSeq.Audio.Vad;
using StreamSeq.Speech.Decoding;
using StreamSeq.Speech.Model;

namespace StreamSeq.Speech;

/// <summary>
/// One-shot recognition of recordings. A recording up to <see cref="MaxUtterance"/> long is decoded whole;
/// a longer one is cut into utterances by <see cref="EnergyVad"/> first (the models are trained on single
/// utterances), each decoded alone and the results joined with times on the recording's clock.
/// </summary>
public sealed class FileTranscriber
{
    private readonly SpeechModel _model;
    private readonly SpeechDecoding _decoding;

    public FileTranscriber(SpeechModel model, SpeechDecoding decoding)
    {
        _model = model;
        _decoding = decoding;
    }

    /// <summary>Recordings longer than this are split into utterances first.</summary>
    public static TimeSpan MaxUtterance { get; } = TimeSpan.FromSeconds(15);

    /// <summary>Transcribes a recording (WAV or anything ffmpeg reads).</summary>
    public async Task<Transcript> TranscribeAsync(string path, CancellationToken cancellationToken = default)
    {
        var samples = await SpeechAudio.LoadAsync(path, SpeechModel.SampleRate, cancellationToken).ConfigureAwait(false);
        return Transcribe(samples) with { Source = path };
    }

    /// <summary>
    /// Silence added before and after a recording decoded whole: the models learn from utterances with 0.1–0.4 s
    /// of silence around them (as the VAD's pre-roll and hangover give live), and a recording cut tight to the
    /// speech otherwise makes the attention decoder hear a word in the missing lead-in.
    /// </summary>
    public static TimeSpan Padding { get; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Transcribes mono samples at <see cref="SpeechModel.SampleRate"/>.</summary>
    public Transcript Transcribe(float[] samples)
    {
        var rate = SpeechModel.SampleRate;
        var end = Math.Round((double)samples.Length / rate, 3);
        if (samples.Length <= MaxUtterance.TotalSeconds * rate)
        {
            var pad = (int)(Padding.TotalSeconds * rate);
            var padded = new float[samples.Length + (2 * pad)];
            samples.CopyTo(padded, pad);
            var transcript = _model.Transcribe([SpeechModel.Featurize(padded)], _decoding)[0];
            return transcript with
            {
                End = end,
                Words = [.. transcript.Words.Select(w => w with
                {
                    Start = Math.Round(Math.Clamp(w.Start - Padding.TotalSeconds, 0, end), 3),
                    End = Math.Round(Math.Clamp(w.End - Padding.TotalSeconds, 0, end), 3),
                })],
            };
        }
        var vad = new EnergyVad(new VadOptions { MaxUtterance = MaxUtterance }, rate);
        var utterances = vad.Accept(samples, 0, DateTime.UnixEpoch).Concat(vad.Complete()).Where(e => e.Kind == UtteranceEventKind.End).ToList();
        var parts = _model.Transcribe([.. utterances.Select(u => SpeechModel.Featurize(u.Audio.Span))], _decoding);
        var words = new List<TranscriptWord>();
        for (var i = 0; i < parts.Count; i++)
        {
            var offset = (double)utterances[i].StartSample / rate;
            words.AddRange(parts[i].Words.Select(w => w with { Start = Math.Round(w.Start + offset, 3), End = Math.Round(w.End + offset, 3) }));
        }
        var spoken = parts.Where(p => p.Text.Length > 0).ToList();
        return new Transcript
        {
            Text = string.Join(' ', spoken.Select(p => p.Text)),
            Confidence = spoken.Count == 0 ? 0 : Math.Round(Math.Exp(spoken.Average(p => Math.Log(Math.Max(p.Confidence, 1e-12)))), 4),
            Words = words,
            End = end,
            Decoder = _decoding.Name(_model.Lm is not null),
            NoTranscript = utterances.Count == 0 ? "no speech found" : null,
        };
    }
}
