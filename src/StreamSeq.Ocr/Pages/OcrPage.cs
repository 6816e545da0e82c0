namespace StreamSeq.Ocr.Pages;

/// <summary>An axis-aligned box in an image's pixels.</summary>
/// <param name="X">Left edge.</param>
/// <param name="Y">Top edge.</param>
/// <param name="Width">Width.</param>
/// <param name="Height">Height.</param>
public readonly record struct PageBox(int X, int Y, int Width, int Height)
{
    /// <summary>One past the right edge.</summary>
    public int Right => X + Width;

    /// <summary>One past the bottom edge.</summary>
    public int Bottom => Y + Height;

    /// <summary>The smallest box holding both.</summary>
    public PageBox Union(PageBox other)
    {
        var x = Math.Min(X, other.X);
        var y = Math.Min(Y, other.Y);
        return new PageBox(x, y, Math.Max(Right, other.Right) - x, Math.Max(Bottom, other.Bottom) - y);
    }

    /// <summary>Area of the intersection over area of the union (0 when they do not meet).</summary>
    public double IntersectionOverUnion(PageBox other)
    {
        var w = Math.Min(Right, other.Right) - Math.Max(X, other.X);
        var h = Math.Min(Bottom, other.Bottom) - Math.Max(Y, other.Y);
        if (w <= 0 || h <= 0)
        {
            return 0;
        }
        var inter = (double)w * h;
        return inter / (((double)Width * Height) + ((double)other.Width * other.Height) - inter);
    }
}

/// <summary>One word of a page line: the characters between spaces.</summary>
/// <param name="Text">The word.</param>
/// <param name="Box">Its ink's box in the page image.</param>
/// <param name="Confidence">Mean confidence of its characters (0..1).</param>
public sealed record PageWord(string Text, PageBox Box, double Confidence);

/// <summary>One text line of a page, in reading order.</summary>
/// <param name="Block">The text block (column piece or paragraph) it belongs to, numbered from 1 in reading order.</param>
/// <param name="Line">Its number within the block, from 1.</param>
/// <param name="Box">Its ink's box in the page image.</param>
/// <param name="Text">What was read ("" when nothing was).</param>
/// <param name="Confidence">Mean confidence of its characters (0..1; a product would shrink with the line's length).</param>
/// <param name="Words">Its words with boxes and confidences.</param>
/// <param name="NoReading">Why the recogniser read nothing, or null.</param>
public sealed record PageLine(int Block, int Line, PageBox Box, string Text, double Confidence, IReadOnlyList<PageWord> Words, string? NoReading = null);

/// <summary>What was read on a page (a scan, a screenshot, a video frame).</summary>
/// <param name="Width">Image width, pixels.</param>
/// <param name="Height">Image height, pixels.</param>
/// <param name="SkewDegrees">The text's measured tilt, degrees, counter-clockwise positive; the page was turned back by it before the lines were found.</param>
/// <param name="TextHeight">The typical height of a character's ink (median of the connected components), pixels.</param>
/// <param name="Lines">The lines in reading order.</param>
/// <param name="Method">Recogniser and decoder that read the lines.</param>
/// <param name="NoText">Why no line was found (a blank or too large image), or null.</param>
public sealed record OcrPage(int Width, int Height, double SkewDegrees, double TextHeight, IReadOnlyList<PageLine> Lines, string Method, string? NoText = null)
{
    /// <summary>The page's text: its lines in reading order, one per row, a blank row between blocks.</summary>
    public string Text => PageFormats.ToText(this);
}
