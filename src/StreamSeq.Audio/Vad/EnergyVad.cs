using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace StreamSeq.Audio.Vad;

/// <summary>Parameters of <see cref="EnergyVad"/> (also the options of <c>audio.vad</c>).</summary>
public class VadOptions : IValidatableObject
{
    [Description("Analysis frame (non-overlapping) for the energy decision")]
    public TimeSpan Frame { get; init; } = TimeSpan.FromMilliseconds(20);

    [Description("A frame is speech when its energy exceeds the noise floor by this many dB")]
    [Range(0.0, 100.0)]
    public double ThresholdDb { get; init; } = 10;

    [Description("...and is above this absolute level (dB full scale), so near-digital silence never counts")]
    [Range(-200.0, 0.0)]
    public double MinLevelDb { get; init; } = -55;

    [Description("Speech must last this long before an utterance starts (rejects clicks)")]
    public TimeSpan MinSpeech { get; init; } = TimeSpan.FromMilliseconds(60);

    [Description("Silence that ends an utterance (hangover)")]
    public TimeSpan Hangover { get; init; } = TimeSpan.FromMilliseconds(400);

    [Description("Audio kept before the detected start (catches soft onsets)")]
    public TimeSpan PreRoll { get; init; } = TimeSpan.FromMilliseconds(200);

    [Description("Emit a partial event this often while speech goes on; 0 disables partial events")]
    public TimeSpan PartialInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    [Description("An utterance longer than this is ended (and a new one starts if speech goes on)")]
    public TimeSpan MaxUtterance { get; init; } = TimeSpan.FromSeconds(20);

    [Description("How fast the noise floor rises towards louder non-speech (time constant); it falls at once")]
    public TimeSpan NoiseAdaptation { get; init; } = TimeSpan.FromSeconds(3);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Frame < TimeSpan.FromMilliseconds(1) || Frame > TimeSpan.FromSeconds(1))
        {
            yield return new ValidationResult("'frame' must be between 1 ms and 1 s", [nameof(Frame)]);
        }
        foreach (var (name, value) in new[] { (nameof(MinSpeech), MinSpeech), (nameof(Hangover), Hangover), (nameof(PreRoll), PreRoll), (nameof(PartialInterval), PartialInterval), (nameof(NoiseAdaptation), NoiseAdaptation) })
        {
            if (value < TimeSpan.Zero || value > TimeSpan.FromMinutes(10))
            {
                yield return new ValidationResult($"'{char.ToLowerInvariant(name[0])}{name[1..]}' must be between 0 and 10 minutes", [name]);
            }
        }
        if (MaxUtterance <= Frame)
        {
            yield return new ValidationResult("'maxUtterance' must be longer than a frame", [nameof(MaxUtterance)]);
        }
    }
}

/// <summary>
/// Energy-based voice activity detection that cuts a live mono stream into utterances. Each frame's energy
/// (dB) is compared with an adaptive noise floor (falls at once to quieter frames, rises slowly towards
/// louder non-speech, and much more slowly during speech); a frame is speech when it exceeds the floor by
/// the threshold and is above an absolute minimum. An utterance starts after <c>minSpeech</c> of speech
/// (with <c>preRoll</c> of audio before it), emits partial events while it goes on, and ends after
/// <c>hangover</c> of silence. Not thread-safe: one instance per stream.
/// </summary>
public sealed class EnergyVad
{
    private readonly VadOptions _options;
    private readonly int _sampleRate;
    private readonly int _frame;
    private readonly int _startFrames;
    private readonly int _hangoverFrames;
    private readonly int _preRollSamples;
    private readonly int _partialSamples;
    private readonly int _maxSamples;
    private readonly double _riseSilence;
    private readonly double _riseSpeech;
    private float[] _pending;
    private int _pendingCount;
    private long _pendingStart;          // stream sample index of _pending[0]
    private float[] _recent;             // ring of the last samples (pre-roll + confirming speech)
    private long _recentEnd;             // stream index just after the newest sample in _recent
    private int _recentValid;            // samples of the current stream in _recent
    private bool _positioned;            // whether _pendingStart is known
    private double _floor = double.NaN;
    private int _speechRun;
    private int _silenceRun;
    private float[]? _utterance;
    private int _utteranceCount;
    private long _utteranceStart;
    private int _sinceEvent;
    private long _utteranceId;
    private DateTime _epoch;             // originating time of stream sample 0

    /// <summary>Creates a detector for mono audio at <paramref name="sampleRate"/>.</summary>
    public EnergyVad(VadOptions options, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        var problems = options.Validate(new ValidationContext(options)).Select(r => r.ErrorMessage).ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid VAD options: " + string.Join("; ", problems));
        }
        _options = options;
        _sampleRate = sampleRate;
        _frame = Math.Max(1, (int)Math.Round(options.Frame.TotalSeconds * sampleRate));
        _startFrames = Math.Max(1, (int)Math.Ceiling(options.MinSpeech.TotalSeconds * sampleRate / _frame));
        _hangoverFrames = Math.Max(1, (int)Math.Ceiling(options.Hangover.TotalSeconds * sampleRate / _frame));
        _preRollSamples = (int)Math.Round(options.PreRoll.TotalSeconds * sampleRate);
        _partialSamples = (int)Math.Round(options.PartialInterval.TotalSeconds * sampleRate);
        _maxSamples = (int)Math.Round(options.MaxUtterance.TotalSeconds * sampleRate);
        var frameSeconds = (double)_frame / sampleRate;
        var tau = Math.Max(options.NoiseAdaptation.TotalSeconds, frameSeconds);
        _riseSilence = 1 - Math.Exp(-frameSeconds / tau);
        _riseSpeech = 1 - Math.Exp(-frameSeconds / (tau * 10));
        _pending = new float[_frame * 4];
        _recent = new float[_preRollSamples + (_startFrames * _frame) + _frame];
    }

    /// <summary>Whether an utterance is in progress.</summary>
    public bool InUtterance => _utterance is not null;

    /// <summary>The current noise floor estimate (dB full scale), NaN before the first frame.</summary>
    public double NoiseFloorDb => _floor;

    /// <summary>
    /// Consumes mono samples that start at stream sample <paramref name="startSample"/>, whose first sample
    /// has originating time <paramref name="startTime"/>; returns the events they cause, in order.
    /// A gap or overlap in <paramref name="startSample"/> is treated as a discontinuity.
    /// </summary>
    public IReadOnlyList<UtteranceEvent> Accept(ReadOnlySpan<float> samples, long startSample, DateTime startTime)
    {
        var events = new List<UtteranceEvent>();
        if (_positioned && startSample != _pendingStart + _pendingCount)
        {
            Discontinuity(events);
        }
        if (!_positioned)
        {
            _pendingStart = startSample;
            _recentEnd = startSample;
            _positioned = true;
        }
        _epoch = startTime - TimeSpan.FromSeconds((double)startSample / _sampleRate);
        if (_pendingCount + samples.Length > _pending.Length)
        {
            Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _pendingCount + samples.Length));
        }
        samples.CopyTo(_pending.AsSpan(_pendingCount));
        _pendingCount += samples.Length;
        var offset = 0;
        while (_pendingCount - offset >= _frame)
        {
            Frame(_pending.AsSpan(offset, _frame), events);
            offset += _frame;
        }
        _pending.AsSpan(offset, _pendingCount - offset).CopyTo(_pending);
        _pendingCount -= offset;
        _pendingStart += offset;
        return events;
    }

    /// <summary>Ends the stream: an utterance in progress gets its end event (with any partial frame).</summary>
    public IReadOnlyList<UtteranceEvent> Complete()
    {
        var events = new List<UtteranceEvent>();
        if (InUtterance)
        {
            Append(_pending.AsSpan(0, _pendingCount));
            _pendingStart += _pendingCount;
            _pendingCount = 0;
            events.Add(Emit(UtteranceEventKind.End));
            _utterance = null;
        }
        return events;
    }

    /// <summary>Ends any utterance and forgets the stream position (the next audio starts a new stream).</summary>
    public IReadOnlyList<UtteranceEvent> Reset()
    {
        var events = new List<UtteranceEvent>();
        Discontinuity(events);
        return events;
    }

    private void Discontinuity(List<UtteranceEvent> events)
    {
        events.AddRange(Complete());
        _pendingCount = 0;
        _pendingStart = 0;
        _recentEnd = 0;
        _recentValid = 0;
        _positioned = false;
        _speechRun = 0;
        _silenceRun = 0;
    }

    private void Frame(ReadOnlySpan<float> frame, List<UtteranceEvent> events)
    {
        double sum = 0;
        foreach (var s in frame)
        {
            sum += (double)s * s;
        }
        var db = 10 * Math.Log10((sum / frame.Length) + 1e-12);
        if (double.IsNaN(_floor))
        {
            _floor = db;
        }
        var speech = db > _floor + _options.ThresholdDb && db > _options.MinLevelDb;
        _floor = db < _floor ? db : _floor + ((db - _floor) * (InUtterance ? _riseSpeech : _riseSilence));
        Remember(frame);
        if (!InUtterance)
        {
            _speechRun = speech ? _speechRun + 1 : 0;
            if (_speechRun >= _startFrames)
            {
                StartUtterance(events);
            }
            return;
        }
        Append(frame);
        _silenceRun = speech ? 0 : _silenceRun + 1;
        if (_silenceRun >= _hangoverFrames)
        {
            events.Add(Emit(UtteranceEventKind.End));
            _utterance = null;
            _speechRun = 0;
            return;
        }
        if (_utteranceCount >= _maxSamples)
        {
            events.Add(Emit(UtteranceEventKind.End));
            _utterance = null;
            // Speech goes on: the next utterance starts right here, without a pre-roll overlap.
            _speechRun = speech ? _startFrames - 1 : 0;
            _recentValid = 0; // nothing before this point is reused
            return;
        }
        if (_partialSamples > 0 && _sinceEvent >= _partialSamples)
        {
            events.Add(Emit(UtteranceEventKind.Partial));
        }
    }

    private void StartUtterance(List<UtteranceEvent> events)
    {
        // The ring holds the confirming speech frames and what came before them; take the pre-roll too.
        var speechSamples = _startFrames * _frame;
        var available = Math.Min(_recentValid, _preRollSamples + speechSamples);
        _utterance = new float[Math.Max(available * 2, _sampleRate)];
        _utteranceCount = 0;
        _utteranceStart = _recentEnd - available;
        var ring = _recent.Length;
        for (var i = 0; i < available; i++)
        {
            var index = _recentEnd - available + i;
            _utterance[_utteranceCount++] = _recent[(int)(index % ring)];
        }
        _sinceEvent = _utteranceCount;
        _silenceRun = 0;
        _speechRun = 0;
        events.Add(Emit(UtteranceEventKind.Start));
    }

    private void Remember(ReadOnlySpan<float> frame)
    {
        var ring = _recent.Length;
        _recentValid = Math.Min(ring, _recentValid + frame.Length);
        foreach (var s in frame)
        {
            _recent[(int)(_recentEnd % ring)] = s;
            _recentEnd++;
        }
    }

    private void Append(ReadOnlySpan<float> samples)
    {
        if (_utteranceCount + samples.Length > _utterance!.Length)
        {
            // A new array, never an in-place grow: events already emitted keep pointing at the old one.
            var grown = new float[Math.Max(_utterance.Length * 2, _utteranceCount + samples.Length)];
            _utterance.AsSpan(0, _utteranceCount).CopyTo(grown);
            _utterance = grown;
        }
        samples.CopyTo(_utterance.AsSpan(_utteranceCount));
        _utteranceCount += samples.Length;
        _sinceEvent += samples.Length;
    }

    private UtteranceEvent Emit(UtteranceEventKind kind)
    {
        var e = new UtteranceEvent(kind, _utteranceId, _utterance.AsMemory(0, _utteranceCount), _sinceEvent, _sampleRate, _utteranceStart,
            _epoch + TimeSpan.FromSeconds((double)_utteranceStart / _sampleRate));
        _sinceEvent = 0;
        if (kind == UtteranceEventKind.End)
        {
            _utteranceId++;
        }
        return e;
    }
}
