using System.Diagnostics;
using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using OpenCvSharp;
using StreamSeq.Ocr.Evaluation;

namespace StreamSeq.Ocr.Data;

/// <summary>A text line of a PDF page: its box in points (1/72 inch, origin top left) and its words joined by spaces.</summary>
public sealed record PdfLine(double XMin, double YMin, double XMax, double YMax, string Text);

/// <summary>
/// Real typeset documents through Debian's <c>poppler-utils</c>: pages rendered with <c>pdftoppm</c>, line boxes
/// and their text from <c>pdftotext -bbox-layout</c>, a page's text in reading order from <c>pdftotext</c>.
/// </summary>
public static class Poppler
{
    /// <summary>Whether pdftoppm and pdftotext can be run.</summary>
    public static bool Installed()
    {
        try
        {
            return Run("pdftotext", ["-v"]).Code == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>Number of pages of a PDF.</summary>
    public static int PageCount(string pdf)
    {
        var (code, output, error) = Run("pdfinfo", [pdf]);
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("Pages:", StringComparison.Ordinal));
        return code == 0 && line is not null ? int.Parse(line["Pages:".Length..].Trim(), CultureInfo.InvariantCulture) : throw new InvalidDataException($"pdfinfo {pdf}: {error.Trim()}");
    }

    /// <summary>The text lines of one page with their boxes (points).</summary>
    public static IReadOnlyList<PdfLine> Lines(string pdf, int page)
    {
        var (code, output, error) = Run("pdftotext", ["-bbox-layout", "-f", N(page), "-l", N(page), pdf, "-"]);
        if (code != 0)
        {
            throw new InvalidDataException($"pdftotext {pdf}: {error.Trim()}");
        }
        // Control characters that some PDFs' text holds are not allowed in XML: they are dropped.
        var clean = new string([.. output.Where(c => c >= ' ' || c is '\n' or '\r' or '\t')]);
        using var reader = XmlReader.Create(new StringReader(clean), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        var document = XDocument.Load(reader);
        var lines = new List<PdfLine>();
        foreach (var line in document.Descendants().Where(e => e.Name.LocalName == "line"))
        {
            var words = line.Elements().Where(e => e.Name.LocalName == "word").Select(w => w.Value.Trim()).Where(w => w.Length > 0).ToList();
            if (words.Count == 0)
            {
                continue;
            }
            double A(string name) => double.Parse((string?)line.Attribute(name) ?? "0", CultureInfo.InvariantCulture);
            lines.Add(new PdfLine(A("xMin"), A("yMin"), A("xMax"), A("yMax"), string.Join(' ', words)));
        }
        return lines;
    }

    /// <summary>A page's text in pdftotext's reading order.</summary>
    public static string PageText(string pdf, int page)
    {
        var (code, output, error) = Run("pdftotext", ["-f", N(page), "-l", N(page), pdf, "-"]);
        return code == 0 ? output : throw new InvalidDataException($"pdftotext {pdf}: {error.Trim()}");
    }

    /// <summary>Renders one page in gray at <paramref name="dpi"/>; the caller owns the Mat.</summary>
    public static Mat Render(string pdf, int page, int dpi, string scratch)
    {
        Directory.CreateDirectory(scratch);
        var prefix = Path.Combine(scratch, $"page-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var (code, _, error) = Run("pdftoppm", ["-f", N(page), "-l", N(page), "-r", N(dpi), "-gray", "-png", "-singlefile", pdf, prefix]);
        try
        {
            if (code != 0)
            {
                throw new InvalidDataException($"pdftoppm {pdf} page {page}: {error.Trim()}");
            }
            return Cv2.ImRead(prefix + ".png", ImreadModes.Grayscale);
        }
        finally
        {
            File.Delete(prefix + ".png");
        }
    }

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static (int Code, string Output, string Error) Run(string program, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} took longer than 5 minutes");
        }
        return (process.ExitCode, output, error.Result);
    }
}

/// <summary>What <see cref="DocumentLines.Extract"/> wrote for one document.</summary>
/// <param name="Lines">Line images written, with their texts and subsets ("clean" or "scan").</param>
/// <param name="Skipped">Lines left out because their text holds characters outside the alphabet (after normalising).</param>
/// <param name="Corpus">Every in-alphabet line of the pages visited, for a text corpus.</param>
public sealed record DocumentExtract(IReadOnlyList<ManifestLine> Lines, int Skipped, IReadOnlyList<string> Corpus);

/// <summary>
/// Line images cut from the rendered pages of a real PDF with the text pdftotext gives for each line: pages are
/// rendered at a random resolution (100–300 dpi), each line cropped with a random margin and, for a share of
/// them, damaged by <see cref="ScanDegradation"/>. Texts are normalised (<see cref="PageSet.Normalise"/>: ligatures,
/// curly quotes, dashes) and lines with characters outside the alphabet are left out.
/// </summary>
public static class DocumentLines
{
    /// <summary>Writes up to <paramref name="maxLines"/> line images of <paramref name="pdf"/> into <paramref name="folder"/>.</summary>
    public static DocumentExtract Extract(string pdf, string folder, OcrAlphabet alphabet, int maxLines, int maxPages, double scanShare, Random random, int minDpi = 100, int maxDpi = 300)
    {
        Directory.CreateDirectory(folder);
        var name = Path.GetFileNameWithoutExtension(pdf);
        var pageCount = Poppler.PageCount(pdf);
        var pages = Enumerable.Range(1, pageCount).OrderBy(_ => random.Next()).Take(maxPages).Order().ToList();
        var lines = new List<ManifestLine>();
        var corpus = new List<string>();
        var skipped = 0;
        var scratch = Path.Combine(Path.GetTempPath(), "streamseq-ocr");
        var candidates = new List<(int Page, PdfLine Line, string Text)>();
        foreach (var page in pages)
        {
            foreach (var line in Poppler.Lines(pdf, page))
            {
                var text = PageSet.Normalise(line.Text);
                if (text.Length == 0)
                {
                    continue;
                }
                if (!text.All(c => alphabet.Characters.Contains(c)))
                {
                    skipped++;
                    continue;
                }
                // Dot leaders of a table of contents: dots packed closer than a recogniser's frames.
                if (text.Contains(". . . .", StringComparison.Ordinal))
                {
                    continue;
                }
                corpus.Add(text);
                candidates.Add((page, line, text));
            }
        }
        var chosen = candidates.OrderBy(_ => random.Next()).Take(maxLines).OrderBy(c => c.Page).ToList();
        foreach (var group in chosen.GroupBy(c => c.Page))
        {
            var dpi = random.Next(minDpi, maxDpi + 1);
            using var image = Poppler.Render(pdf, group.Key, dpi, scratch);
            if (image.Empty())
            {
                continue;
            }
            var scale = dpi / 72.0;
            foreach (var (_, line, text) in group)
            {
                var height = (line.YMax - line.YMin) * scale;
                var padX = height * (0.1 + (random.NextDouble() * 0.5));
                var padY = height * (0.05 + (random.NextDouble() * 0.25));
                var x0 = Math.Clamp((int)Math.Floor((line.XMin * scale) - padX), 0, image.Width - 1);
                var y0 = Math.Clamp((int)Math.Floor((line.YMin * scale) - padY), 0, image.Height - 1);
                var x1 = Math.Clamp((int)Math.Ceiling((line.XMax * scale) + padX), x0 + 1, image.Width);
                var y1 = Math.Clamp((int)Math.Ceiling((line.YMax * scale) + padY), y0 + 1, image.Height);
                if (y1 - y0 < 8 || x1 - x0 > 4000)
                {
                    continue;
                }
                using var crop = new Mat(image, new Rect(x0, y0, x1 - x0, y1 - y0));
                var scanned = random.NextDouble() < scanShare;
                using var written = scanned ? ScanDegradation.Apply(crop, random) : crop.Clone();
                // Only lines a CRNN can be trained on: some ink left after the damage, and enough frames for the text.
                var (prepared, _) = LineImage.Prepare(written, Model.CrnnNet.InputHeight, null, Model.CrnnModel.DefaultStretch, 0.33);
                if (prepared is null || Model.CrnnNet.FramesOf(prepared.Width) < Model.CrnnTrainer.MinFrames(alphabet.Encode(text, pdf)))
                {
                    continue;
                }
                var file = $"{name}-p{group.Key:000}-{lines.Count:0000}.png";
                Cv2.ImWrite(Path.Combine(folder, file), written);
                lines.Add(new ManifestLine(Path.Combine(folder, file), text, scanned ? "scan" : "clean"));
            }
        }
        return new DocumentExtract(lines, skipped, corpus);
    }
}
