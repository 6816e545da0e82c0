using StreamSeq.Audio.Vad;

namespace StreamSeq.Audio.Stages;

/// <summary>
/// Energy-based voice activity detection on a live audio stream: emits an utterance <c>start</c> when speech
/// begins, <c>partial</c> events while it goes on (every <c>partialInterval</c>, for partial transcripts)
/// and an <c>end</c> after <c>hangover</c> of silence, each carrying the utterance's audio so far and which
/// part of it is new. Multi-channel input is mixed down.
/// </summary>
[Stage("audio.vad", Description = "Energy-based voice activity detection: utterance start/partial/end events with their audio")]
public sealed class AudioVadStage : TransformStage<AudioChunk, UtteranceEvent>
{
    private readonly VadOptions _options;
    private EnergyVad? _vad;
    private int _sampleRate;
    private DateTime _lastTime;

    /// <summary>Creates the stage.</summary>
    public AudioVadStage(VadOptions options) => _options = options;

    /// <inheritdoc />
    public override async ValueTask ProcessAsync(Packet<AudioChunk> input, Emitter<UtteranceEvent> output, CancellationToken cancellationToken)
    {
        var chunk = input.Payload;
        var events = new List<UtteranceEvent>();
        if (_vad is null || _sampleRate != chunk.SampleRate)
        {
            if (_vad is not null)
            {
                events.AddRange(_vad.Reset());
            }
            _vad = new EnergyVad(_options, chunk.SampleRate);
            _sampleRate = chunk.SampleRate;
        }
        else if (chunk.Discontinuity)
        {
            events.AddRange(_vad.Reset());
        }
        var mono = chunk.Channels == 1 ? chunk.Samples : AudioMath.Downmix(chunk.Samples, chunk.Channels);
        events.AddRange(_vad.Accept(mono, chunk.StartSample, input.OriginatingTime));
        _lastTime = input.OriginatingTime + chunk.Duration;
        foreach (var e in events)
        {
            await output.EmitAsync(e, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override async ValueTask CompleteAsync(Emitter<UtteranceEvent> output, CancellationToken cancellationToken)
    {
        if (_vad is null)
        {
            return;
        }
        foreach (var e in _vad.Complete())
        {
            await output.EmitAsync(e, _lastTime, null, cancellationToken).ConfigureAwait(false);
        }
    }
}
