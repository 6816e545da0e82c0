using System.Text.Json.Serialization;

namespace StreamSeq.Ocr.Model;

/// <summary>One recognised character: its confidence and its box in the source image's pixels.</summary>
/// <param name="Char">The character.</param>
/// <param name="Confidence">Probability of the character at its most confident frame (0..1).</param>
/// <param name="X">Left edge, source pixels.</param>
/// <param name="Y">Top edge, source pixels.</param>
/// <param name="Width">Box width, source pixels.</param>
/// <param name="Height">Box height, source pixels.</param>
public sealed record ReadChar(char Char, double Confidence, int X, int Y, int Width, int Height);

/// <summary>
/// What a recogniser read from one line image: the text, a line confidence and the characters with boxes,
/// or no reading and the reason (empty or blank image, an image over the size limit, no path through a
/// constraining grammar).
/// </summary>
/// <param name="Text">The transcription ("" when there is no reading).</param>
/// <param name="Confidence">Line confidence: the product of character confidences (0 with no reading).</param>
/// <param name="Chars">Characters with confidences and boxes.</param>
/// <param name="NoReading">Why nothing was read, or null.</param>
/// <param name="Method">Which recogniser and decoder produced it.</param>
public sealed record Reading(string Text, double Confidence, IReadOnlyList<ReadChar> Chars, string? NoReading, string Method)
{
    /// <summary>Whether something was read.</summary>
    public bool HasReading => NoReading is null;

    /// <summary>The best distinct transcriptions with their lattice scores, best first, when n-best was asked
    /// for (null otherwise; in JSON <c>nbest</c>).</summary>
    [JsonPropertyName("nbest")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<Alternative>? NBest { get; init; }

    /// <summary>Whether the input itself failed (not a decodable image, or over the size limits), as opposed to an
    /// image with nothing to read; in JSON <c>refused</c>, written only when true.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Refused { get; init; }

    /// <summary>A "no reading" result with its reason.</summary>
    public static Reading None(string reason, string method) => new("", 0, [], reason, method);
}

/// <summary>One of the n best transcriptions of a line.</summary>
/// <param name="Text">The transcription.</param>
/// <param name="Score">The score of its best path through the (constrained) lattice: a log-score, higher is
/// better; with a language model it includes the weighted LM log-probability.</param>
public sealed record Alternative(string Text, double Score);
