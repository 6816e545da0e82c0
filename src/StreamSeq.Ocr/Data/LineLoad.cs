namespace StreamSeq.Ocr.Data;

/// <summary>An image file prepared for reading, or why not.</summary>
/// <param name="Image">The prepared line, or null.</param>
/// <param name="NoReading">Why there is nothing to read (a blank image, say), or null.</param>
/// <param name="Refused">The input itself failed: not an image that can be decoded, or over the size limits. A blank
/// image is not refused: it is read as having no text. Callers count refused inputs as failures (the <c>ocr</c>
/// verb exits 1).</param>
public sealed record LineLoad(LineImage? Image, string? NoReading, bool Refused)
{
    /// <summary>An input that could not be read.</summary>
    public static LineLoad Refuse(string reason) => new(null, reason, Refused: true);

    /// <summary>The line and the reason, as <c>var (line, reason) = …</c>.</summary>
    public void Deconstruct(out LineImage? image, out string? noReading) => (image, noReading) = (Image, NoReading);
}
