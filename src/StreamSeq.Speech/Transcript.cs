using System.Text.Json.Serialization;

namespace StreamSeq.Speech;

/// <summary>A recognised word with its time span (seconds from the start of the audio given) and confidence.</summary>
/// <param name="Word">The word.</param>
/// <param name="Start">When it begins.</param>
/// <param name="End">When it ends.</param>
/// <param name="Confidence">Geometric mean of its tokens' probabilities (0..1).</param>
public sealed record TranscriptWord(string Word, double Start, double End, double Confidence);

/// <summary>An alternative transcription and its decoder score (log domain).</summary>
/// <param name="Text">The transcription.</param>
/// <param name="Score">The decoder's score; higher is better.</param>
public sealed record TranscriptAlternative(string Text, double Score);

/// <summary>
/// What a recogniser heard in a stretch of audio: the text, per-word times and confidences, n-best alternatives
/// on request, and — in a live stream — whether this is a partial result (the utterance goes on) or the final one.
/// </summary>
public sealed record Transcript
{
    /// <summary>The best transcription (empty when nothing was recognised).</summary>
    public required string Text { get; init; }

    /// <summary>Confidence of the whole transcription: geometric mean of its token probabilities (0..1).</summary>
    public double Confidence { get; init; }

    /// <summary>The words, with times relative to <see cref="Start"/>'s origin.</summary>
    public IReadOnlyList<TranscriptWord> Words { get; init; } = [];

    /// <summary>Alternatives (the first is the best), when n-best was asked for.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonPropertyName("nbest")]
    public IReadOnlyList<TranscriptAlternative>? NBest { get; init; }

    /// <summary>False while the utterance goes on (a partial result), true for its last result.</summary>
    public bool Final { get; init; } = true;

    /// <summary>Which utterance of a live stream this belongs to.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Utterance { get; init; }

    /// <summary>Media time of the audio's first sample, seconds from the stream's start.</summary>
    public double Start { get; init; }

    /// <summary>Media time of the audio's end, seconds.</summary>
    public double End { get; init; }

    /// <summary>Wall-clock (originating) time of the end of the audio heard, in a live stream.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTime? EndTime { get; init; }

    /// <summary>The decoder that produced it (e.g. "ctc-beam-lm").</summary>
    public string Decoder { get; init; } = "";

    /// <summary>Why nothing could be transcribed, when that is the case.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NoTranscript { get; init; }

    /// <summary>The input's name (a file path) in one-shot use.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Source { get; init; }
}
