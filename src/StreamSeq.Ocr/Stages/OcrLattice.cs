using System.Text.Json.Serialization;
using StreamSeq.Lattice;
using StreamSeq.Ocr.Data;
using StreamSeq.Ocr.Segmentation;

namespace StreamSeq.Ocr.Stages;

/// <summary>Which recogniser built an <see cref="OcrLattice"/>.</summary>
public enum OcrLatticeKind
{
    /// <summary>CRNN + CTC: pruned emissions ∘ CTC topology (input = frame classes, output = characters).</summary>
    Ctc,

    /// <summary>Segmentation: cuts as states, arcs read characters over candidate segments.</summary>
    Segment,
}

/// <summary>
/// The recognition lattice of the text line in one frame, as <c>lattice.build</c> emits it and
/// <c>lattice.decode</c> reads it: the graph (output labels are the alphabet's classes), what is needed to turn a
/// path into characters with confidences and boxes, and the frame it came from. Serialised (to a JSON sink) it
/// shows its size, not its arcs.
/// </summary>
public sealed class OcrLattice
{
    /// <summary>The recogniser kind.</summary>
    public required OcrLatticeKind Kind { get; init; }

    /// <summary>The lattice; null when the frame has no reading.</summary>
    [JsonIgnore]
    public Graph? Graph { get; init; }

    /// <summary>The recogniser's alphabet (class i + 1 is character i).</summary>
    [JsonIgnore]
    public required OcrAlphabet Alphabet { get; init; }

    /// <summary>The alphabet's characters.</summary>
    public string Characters => Alphabet.Characters;

    /// <summary>The prepared line (geometry for boxes); null when the frame has no reading.</summary>
    [JsonIgnore]
    public LineImage? Line { get; init; }

    /// <summary>CTC: T×C log-probabilities, row-major (for character confidences).</summary>
    [JsonIgnore]
    public float[]? LogProbs { get; init; }

    /// <summary>CTC: T, the number of frames.</summary>
    public int Frames { get; init; }

    /// <summary>Segmentation: the lattice with each arc's segment.</summary>
    [JsonIgnore]
    public SegmentLattice? Segments { get; init; }

    /// <summary>Why the frame has no lattice (blank, too large, too narrow), or null.</summary>
    public string? NoReading { get; init; }

    /// <summary>The frame's number in its source.</summary>
    public long Frame { get; init; }

    /// <summary>The frame's media time, seconds.</summary>
    public double Time { get; init; }

    /// <summary>States of the lattice.</summary>
    public int States => Graph?.StateCount ?? 0;

    /// <summary>Arcs of the lattice.</summary>
    public int Arcs => Graph?.ArcCount ?? 0;

    /// <summary>"crnn-ctc" or "segment".</summary>
    public string Recogniser => Kind == OcrLatticeKind.Ctc ? "crnn-ctc" : "segment";
}
