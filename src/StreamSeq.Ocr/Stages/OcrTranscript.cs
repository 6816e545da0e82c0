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
