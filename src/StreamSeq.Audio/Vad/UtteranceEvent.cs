namespace StreamSeq.Audio.Vad;

/// <summary>What an <see cref="UtteranceEvent"/> reports.</summary>
public enum UtteranceEventKind
{
    /// <summary>Speech began; the audio holds the pre-roll and the speech that confirmed it.</summary>
    Start,

    /// <summary>Speech goes on; more audio arrived since the last event (for partial transcripts).</summary>
    Partial,

    /// <summary>The utterance ended (hangover of silence, maximum length, a discontinuity or the stream's end).</summary>
    End,
}

/// <summary>
/// One step in the life of an utterance cut from a live stream by <see cref="EnergyVad"/>. Every event
/// carries the utterance's audio so far (<see cref="Audio"/>, mono, from <see cref="StartSample"/>), of which
/// the last <see cref="NewSamples"/> samples arrived since the previous event: a streaming recogniser feeds
/// only those, a whole-utterance recogniser decodes <see cref="Audio"/> again. The audio of an event is
/// never changed afterwards (the utterance buffer is append-only), so events can be held freely.
/// </summary>
public sealed class UtteranceEvent : IAudioPayload
{
    /// <summary>Creates an event.</summary>
    public UtteranceEvent(UtteranceEventKind kind, long utteranceId, ReadOnlyMemory<float> audio, int newSamples, int sampleRate, long startSample, DateTime startTime)
    {
        Kind = kind;
        UtteranceId = utteranceId;
        Audio = audio;
        NewSamples = newSamples;
        SampleRate = sampleRate;
        StartSample = startSample;
        StartTime = startTime;
    }

    /// <summary>Start, partial or end.</summary>
    public UtteranceEventKind Kind { get; }

    /// <summary>Number of the utterance in its stream (0, 1, …); all events of one utterance share it.</summary>
    public long UtteranceId { get; }

    /// <summary>The utterance's mono audio from its start up to this event. Not written by JSON sinks.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ReadOnlyMemory<float> Audio { get; }

    /// <summary>How many samples at the end of <see cref="Audio"/> are new since the previous event.</summary>
    public int NewSamples { get; }

    /// <summary>The new samples since the previous event. Not written by JSON sinks.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ReadOnlyMemory<float> NewAudio => Audio[^NewSamples..];

    /// <summary>Sample rate of <see cref="Audio"/>.</summary>
    public int SampleRate { get; }

    /// <summary>Stream sample index of the utterance's first sample.</summary>
    public long StartSample { get; }

    /// <summary>Stream sample index just after the last sample so far.</summary>
    public long EndSample => StartSample + Audio.Length;

    /// <summary>Originating (media) time of the utterance's first sample.</summary>
    public DateTime StartTime { get; }

    /// <summary>Originating time just after the last sample so far.</summary>
    public DateTime EndTime => StartTime + Duration;

    /// <summary>Length of the audio so far.</summary>
    public TimeSpan Duration => TimeSpan.FromSeconds((double)Audio.Length / SampleRate);

    /// <inheritdoc />
    public override string ToString() => $"utterance {UtteranceId} {Kind.ToString().ToLowerInvariant()} {StartTime:HH:mm:ss.fff}+{Duration.TotalSeconds:F2}s";
}
