namespace StreamSeq.Audio.Features;

/// <summary>
/// Feature extraction over a stream of chunks: keeps the samples of the frame in progress between calls, so
/// the frames of many chunks equal <see cref="FeatureExtractor.Extract"/> of their concatenation (framing,
/// pre-emphasis across chunk borders, optional streaming normalisation).
/// </summary>
public sealed class StreamingFeatureExtractor
{
    private readonly FeatureExtractor _extractor;
    private readonly StreamingNormalizer? _normalizer;
    private float[] _pending = new float[4096];
    private int _pendingCount;
    private float _previous;
    private bool _started;

    /// <summary>Creates a streaming extractor. <see cref="NormalizationMode.Utterance"/> is not causal and is
    /// left to the caller (<see cref="FeatureNormalizer.NormalizeUtterance"/>).</summary>
    public StreamingFeatureExtractor(FeatureOptions options)
    {
        _extractor = new FeatureExtractor(options);
        if (options.Normalization == NormalizationMode.Streaming)
        {
            _normalizer = new StreamingNormalizer(_extractor.Bins, options.NormalizationWindow, options.NormalizeVariance);
        }
    }

    /// <summary>The frame-level extractor.</summary>
    public FeatureExtractor Extractor => _extractor;

    /// <summary>Index of the next frame this extractor will produce (frames since the stream began).</summary>
    public long NextFrame { get; private set; }

    /// <summary>Consumes mono samples and returns the frames completed by them (possibly none).</summary>
    public FeatureMatrix Accept(ReadOnlySpan<float> samples)
    {
        if (_pendingCount + samples.Length > _pending.Length)
        {
            Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _pendingCount + samples.Length));
        }
        samples.CopyTo(_pending.AsSpan(_pendingCount));
        _pendingCount += samples.Length;
        var frames = _extractor.FrameCount(_pendingCount);
        var result = new FeatureMatrix(frames, _extractor.Bins);
        var shift = _extractor.ShiftSamples;
        for (var f = 0; f < frames; f++)
        {
            var start = f * shift;
            var previous = start > 0 ? _pending[start - 1] : _started ? _previous : 0f;
            _extractor.ComputeFrame(_pending.AsSpan(start, _extractor.FrameSamples), previous, result.Row(f));
            _normalizer?.Normalize(result.Row(f));
        }
        if (frames > 0)
        {
            var consumed = frames * shift;
            _previous = _pending[consumed - 1];
            _started = true;
            _pending.AsSpan(consumed, _pendingCount - consumed).CopyTo(_pending);
            _pendingCount -= consumed;
            NextFrame += frames;
        }
        return result;
    }

    /// <summary>Drops buffered samples and statistics: the stream starts over.</summary>
    public void Reset()
    {
        _pendingCount = 0;
        _previous = 0;
        _started = false;
        NextFrame = 0;
        _normalizer?.Reset();
    }
}
