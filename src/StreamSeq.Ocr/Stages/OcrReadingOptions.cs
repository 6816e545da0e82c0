using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using StreamSeq.Ocr.Data;
using StreamSeq.Ocr.Model;

namespace StreamSeq.Ocr.Stages;

/// <summary>
/// Options every OCR reading stage (<c>ocr.ctc</c>, <c>ocr.segment</c>, <c>lattice.decode</c>) shares: the
/// constraints composed with the recogniser's lattice (see <see cref="OcrConstraints"/>), n-best and what to do
/// with frames that hold nothing to read.
/// </summary>
public abstract class OcrReadingOptions
{
    [Description("Only these characters may be read (an acceptor composed with the lattice; with ocr.ctc it implies viterbi), e.g. 0123456789; empty: any of the model's")]
    public string Charset { get; init; } = "";

    [Description("A pattern the whole transcription must match (literals, [0-9] classes, ., ?, *, +, {m,n}, | and groups; with ocr.ctc it implies viterbi), e.g. [0-9]{3,8}; empty: none")]
    public string Pattern { get; init; } = "";

    [Description("Word-list file: readings are one or more of its words separated by single spaces (with ocr.ctc it implies viterbi); empty: none")]
    [PathMustExist]
    public string Lexicon { get; init; } = "";

    [Description("ARPA character language model (characters, <sp> for a space) composed with the lattice, weighted by lmWeight (with ocr.ctc it implies viterbi); empty: none")]
    [PathMustExist]
    public string Lm { get; init; } = "";

    [Description("Weight of the language model's log-probabilities against the recogniser's")]
    [Range(0.0, 100.0)]
    public double LmWeight { get; init; } = 0.5;

    [Description("Also list this many best distinct transcriptions with their lattice scores (nbest); 0: none")]
    [Range(0, 100)]
    public int Nbest { get; init; }

    [Description("Emit frames with no reading too (blank, too large, nothing the constraints accept), with the reason; otherwise they are dropped")]
    public bool EmitNoReading { get; init; } = true;

    /// <summary>The constraints these options ask for, over <paramref name="alphabet"/>; paths resolved against the
    /// pipeline file.</summary>
    /// <exception cref="InvalidDataException">An option is invalid; the message names the stage and the option.</exception>
    public OcrConstraints BuildConstraints(OcrAlphabet alphabet, StageContext context)
    {
        try
        {
            return OcrConstraints.Build(alphabet, Charset, Pattern,
                Lexicon.Length > 0 ? context.ResolvePath(Lexicon) : null,
                Lm.Length > 0 ? context.ResolvePath(Lm) : null, LmWeight);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{context.StageId}: {e.Message}", e);
        }
    }
}
