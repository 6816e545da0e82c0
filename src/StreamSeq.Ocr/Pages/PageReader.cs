using OpenCvSharp;
using StreamSeq.Ocr.Data;
using StreamSeq.Ocr.Model;

namespace StreamSeq.Ocr.Pages;

/// <summary>
/// What the last page (video frame) read held, so the next one reads only the lines that changed: a line whose
/// box and prepared pixels match one of the last page's keeps that line's reading. Not thread-safe: one per stream.
/// </summary>
public sealed class PageMemory
{
    /// <summary>Largest mean difference of prepared pixels (0..1 ink values) between two lines taken as the same.</summary>
    public const double SameLine = 0.02;

    private List<(PageBox Box, LineImage Image, Reading Reading)> _last = [];

    /// <summary>Lines of the last page read that kept an earlier reading.</summary>
    public int LastReused { get; private set; }

    internal Reading? Find(PageBox box, LineImage image)
    {
        foreach (var (lastBox, lastImage, reading) in _last)
        {
            if (lastImage.Width != image.Width || lastImage.Height != image.Height || box.IntersectionOverUnion(lastBox) < 0.7)
            {
                continue;
            }
            double difference = 0;
            for (var i = 0; i < image.Pixels.Length; i++)
            {
                difference += Math.Abs(image.Pixels[i] - lastImage.Pixels[i]);
            }
            if (difference / image.Pixels.Length <= SameLine)
            {
                return reading;
            }
        }
        return null;
    }

    internal void Remember(List<(PageBox Box, LineImage Image, Reading Reading)> lines, int reused)
    {
        _last = lines;
        LastReused = reused;
    }
}

/// <summary>
/// Reads whole pages, screenshots and video frames: <see cref="PageLayout"/> finds the lines in reading order,
/// each is cut out (its own ink only) and read by the CRNN in batches of similar widths, and its characters are
/// grouped into words with boxes and confidences in the image's pixels.
/// </summary>
public static class PageReader
{
    /// <summary>Reads a page (8-bit gray or BGR).</summary>
    /// <param name="model">The line recogniser.</param>
    /// <param name="image">The page.</param>
    /// <param name="decoding">The decoder and its constraints, applied to each line.</param>
    /// <param name="options">Layout analysis settings.</param>
    /// <param name="memory">For a video: the last frame's lines, so unchanged lines are not read again (updated).</param>
    /// <param name="batchSize">Lines per network call.</param>
    public static OcrPage Read(CrnnModel model, Mat image, CtcDecoding decoding, PageLayoutOptions? options = null, PageMemory? memory = null, int batchSize = 32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var method = CrnnModel.MethodName(decoding);
        using var layout = PageLayout.Analyse(image, options);
        if (layout.NoText is not null)
        {
            memory?.Remember([], 0);
            return new OcrPage(image.Width, image.Height, layout.SkewDegrees, layout.TextHeight, [], method, layout.NoText);
        }
        var lines = layout.Lines;
        var prepared = new (LineImage? Image, string? NoReading, int Left, int Top)[lines.Count];
        for (var i = 0; i < lines.Count; i++)
        {
            var (crop, left, top) = layout.CropLine(lines[i]);
            using (crop)
            {
                var (line, reason) = model.Prepare(crop);
                prepared[i] = (line, reason, left, top);
            }
        }
        var readings = new Reading?[lines.Count];
        var reused = 0;
        if (memory is not null)
        {
            for (var i = 0; i < lines.Count; i++)
            {
                if (prepared[i].Image is { } line && memory.Find(lines[i].Box, line) is { } earlier)
                {
                    readings[i] = earlier;
                    reused++;
                }
            }
        }
        var order = Enumerable.Range(0, lines.Count).Where(i => prepared[i].Image is not null && readings[i] is null).OrderBy(i => prepared[i].Image!.Width).ToList();
        foreach (var batch in order.Chunk(batchSize))
        {
            var batchReadings = model.Read([.. batch.Select(i => prepared[i].Image!)], decoding);
            for (var k = 0; k < batch.Length; k++)
            {
                readings[batch[k]] = batchReadings[k];
            }
        }
        memory?.Remember([.. Enumerable.Range(0, lines.Count).Where(i => prepared[i].Image is not null).Select(i => (lines[i].Box, prepared[i].Image!, readings[i]!))], reused);
        var pageLines = new List<PageLine>(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            var reading = readings[i] ?? Reading.None(prepared[i].NoReading ?? "nothing to read", method);
            pageLines.Add(ToPageLine(layout, lines[i], reading, prepared[i].Left));
        }
        return new OcrPage(image.Width, image.Height, layout.SkewDegrees, layout.TextHeight, pageLines, method);
    }

    /// <summary>The line's words: its characters split at spaces, each word's box the ink of the line's components
    /// whose centres fall between its first and last character.</summary>
    private static PageLine ToPageLine(PageLayout layout, LayoutLine line, Reading reading, int left)
    {
        var lineBox = layout.ToSource(line.Box);
        if (!reading.HasReading)
        {
            return new PageLine(line.Block, line.Line, lineBox, "", 0, [], reading.NoReading);
        }
        var words = new List<PageWord>();
        var chars = reading.Chars;
        for (var start = 0; start < chars.Count;)
        {
            if (chars[start].Char == ' ')
            {
                start++;
                continue;
            }
            var end = start;
            while (end < chars.Count && chars[end].Char != ' ')
            {
                end++;
            }
            var x0 = left + chars[start].X;
            var x1 = left + chars[end - 1].X + chars[end - 1].Width;
            PageBox? box = null;
            foreach (var label in line.Components)
            {
                var b = layout.ComponentBox(label);
                var centre = b.X + (b.Width / 2.0);
                if (centre >= x0 && centre < x1)
                {
                    box = box is { } so ? so.Union(b) : b;
                }
            }
            box ??= new PageBox(x0, line.Box.Y, Math.Max(1, x1 - x0), line.Box.Height);
            var text = new string([.. chars.Skip(start).Take(end - start).Select(c => c.Char)]);
            var confidence = chars.Skip(start).Take(end - start).Average(c => c.Confidence);
            words.Add(new PageWord(text, layout.ToSource(box.Value), Math.Round(confidence, 4)));
            start = end;
        }
        var lineConfidence = chars.Count == 0 ? 0 : chars.Average(c => c.Confidence);
        return new PageLine(line.Block, line.Line, lineBox, reading.Text.Trim(), Math.Round(lineConfidence, 4), words);
    }
}
