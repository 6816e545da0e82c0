using StreamSeq.Audio.Features;
using StreamSeq.Audio.Vad;

namespace StreamSeq.Audio.Stages;

/// <summary>
/// A block of feature frames computed from a stream or an utterance: the matrix, where its first frame lies
/// in the stream, and the frame shift. The packet carrying it is stamped with the originating time of its
/// input; <see cref="StartTime"/> is the exact media time of frame 0.
/// </summary>
public sealed class FeatureChunk
{
    /// <summary>Creates a chunk.</summary>
    public FeatureChunk(FeatureMatrix features, long startFrame, TimeSpan frameShift, DateTime startTime, long? utteranceId = null, UtteranceEventKind? utteranceEvent = null)
    {
        Features = features;
        StartFrame = startFrame;
        FrameShift = frameShift;
        StartTime = startTime;
        UtteranceId = utteranceId;
        UtteranceEvent = utteranceEvent;
    }

    /// <summary>The frames × bins features.</summary>
    public FeatureMatrix Features { get; }

    /// <summary>Index of the first frame since the stream (or utterance) began.</summary>
    public long StartFrame { get; }

    /// <summary>Time between frames.</summary>
    public TimeSpan FrameShift { get; }

    /// <summary>Media time of the first frame's first sample.</summary>
    public DateTime StartTime { get; }

    /// <summary>The utterance the frames belong to, when the input was <see cref="UtteranceEvent"/>s.</summary>
    public long? UtteranceId { get; }

    /// <summary>The utterance event the frames came with (start, partial, end), for utterance input.</summary>
    public UtteranceEventKind? UtteranceEvent { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Features} from frame {StartFrame}" + (UtteranceId is { } id ? $" of utterance {id} ({UtteranceEvent})" : "");
}

/// <summary>
/// Features of a live audio stream (<see cref="AudioChunk"/> in, one <see cref="FeatureChunk"/> per chunk
/// with the frames it completed) or of utterances (<see cref="UtteranceEvent"/> in: the new audio of every
/// event, with the frames so far of that utterance). Pre-emphasis, framing, window, FFT, log-mel or MFCC,
/// and streaming or per-utterance normalisation (per-utterance: each event's features are the whole
/// utterance's, normalised over it).
/// </summary>
[Stage("audio.features", Description = "Log-mel or MFCC features of audio chunks or utterances, with streaming or per-utterance normalisation")]
public sealed class AudioFeaturesStage : TransformStage<IAudioPayload, FeatureChunk>
{
    private readonly FeatureOptions _options;
    private readonly StreamingFeatureExtractor _stream;
    private readonly Dictionary<long, StreamingFeatureExtractor> _utterances = [];
    private readonly Dictionary<long, List<FeatureMatrix>> _utteranceFrames = [];
    private long _expectedSample;
    private DateTime _streamEpoch;

    /// <summary>Creates the stage.</summary>
    public AudioFeaturesStage(FeatureOptions options)
    {
        _options = options;
        _stream = new StreamingFeatureExtractor(options);
    }

    /// <inheritdoc />
    public override async ValueTask ProcessAsync(Packet<IAudioPayload> input, Emitter<FeatureChunk> output, CancellationToken cancellationToken)
    {
        switch (input.Payload)
        {
            case AudioChunk chunk:
                await output.EmitAsync(FromChunk(chunk, input.OriginatingTime), cancellationToken).ConfigureAwait(false);
                break;
            case UtteranceEvent utterance:
                await output.EmitAsync(FromUtterance(utterance), cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw new InvalidOperationException($"audio.features takes audio chunks or utterance events, not {input.Payload?.GetType().Name ?? "null"}");
        }
    }

    private FeatureChunk FromChunk(AudioChunk chunk, DateTime originatingTime)
    {
        CheckRate(chunk.SampleRate);
        if (chunk.Discontinuity || chunk.StartSample != _expectedSample)
        {
            _stream.Reset();
            _streamEpoch = originatingTime - TimeSpan.FromSeconds((double)chunk.StartSample / chunk.SampleRate);
        }
        else if (_stream.NextFrame == 0 && _expectedSample == 0)
        {
            _streamEpoch = originatingTime;
        }
        _expectedSample = chunk.StartSample + chunk.Frames;
        var mono = chunk.Channels == 1 ? chunk.Samples : AudioMath.Downmix(chunk.Samples, chunk.Channels);
        var first = _stream.NextFrame;
        var features = _stream.Accept(mono);
        if (_options.Normalization == NormalizationMode.Utterance)
        {
            // A stream has no utterance boundary: per-chunk statistics are the closest causal reading.
            FeatureNormalizer.NormalizeUtterance(features, _options.NormalizeVariance);
        }
        return new FeatureChunk(features, first, _options.FrameShift, _streamEpoch + (_options.FrameShift * first));
    }

    private FeatureChunk FromUtterance(UtteranceEvent e)
    {
        CheckRate(e.SampleRate);
        if (e.Kind == UtteranceEventKind.Start)
        {
            // An utterance whose end never came (dropped upstream) must not be kept forever.
            foreach (var stale in _utterances.Keys.Where(id => id != e.UtteranceId).ToList())
            {
                _utterances.Remove(stale);
                _utteranceFrames.Remove(stale);
            }
        }
        if (!_utterances.TryGetValue(e.UtteranceId, out var extractor))
        {
            extractor = new StreamingFeatureExtractor(_options);
            _utterances[e.UtteranceId] = extractor;
            _utteranceFrames[e.UtteranceId] = [];
        }
        var first = extractor.NextFrame;
        var fresh = extractor.Accept(e.NewAudio.Span);
        FeatureChunk result;
        if (_options.Normalization == NormalizationMode.Utterance)
        {
            var all = _utteranceFrames[e.UtteranceId];
            all.Add(fresh);
            var whole = FeatureMatrix.Concat(all);
            FeatureNormalizer.NormalizeUtterance(whole, _options.NormalizeVariance);
            result = new FeatureChunk(whole, 0, _options.FrameShift, e.StartTime, e.UtteranceId, e.Kind);
        }
        else
        {
            result = new FeatureChunk(fresh, first, _options.FrameShift, e.StartTime + (_options.FrameShift * first), e.UtteranceId, e.Kind);
        }
        if (e.Kind == UtteranceEventKind.End)
        {
            _utterances.Remove(e.UtteranceId);
            _utteranceFrames.Remove(e.UtteranceId);
        }
        return result;
    }

    private void CheckRate(int sampleRate)
    {
        if (sampleRate != _options.SampleRate)
        {
            throw new InvalidOperationException($"audio at {sampleRate} Hz but features are set for {_options.SampleRate} Hz: set audio.source's sampleRate (it resamples) or this stage's sampleRate");
        }
    }
}
