using System.Diagnostics;
using OpenCvSharp;
using StreamSeq.Ocr.Model;
using StreamSeq.Ocr.Pages;

namespace StreamSeq.Ocr.Evaluation;

/// <summary>One subset's scores, per method.</summary>
/// <param name="Subset">The subset ("total" for every item).</param>
/// <param name="Items">Lines or pages in it.</param>
/// <param name="Methods">Scores per method (the CRNN's decoding, "tesseract").</param>
public sealed record SubsetScores<TMetrics>(string Subset, int Items, IReadOnlyDictionary<string, TMetrics> Methods);

/// <summary>Scores of a manifest's lines, overall and per subset.</summary>
/// <param name="Manifest">The manifest read.</param>
/// <param name="Model">The CRNN model folder.</param>
/// <param name="Tesseract">Tesseract's version line when it was run (one process, <c>--psm 7</c>), else null.</param>
/// <param name="Subsets">"total" first, then each subset by name. Lines/s are measured over the whole set.</param>
public sealed record LineSetReport(string Manifest, string Model, string? Tesseract, IReadOnlyList<SubsetScores<OcrMetrics>> Subsets);

/// <summary>Scores of reading whole pages.</summary>
/// <param name="Pages">Pages scored.</param>
/// <param name="ReferenceLines">Non-empty lines of their ground truth.</param>
/// <param name="Cer">Character errors (edit distance of the normalised page texts, so the reading order counts) over reference characters.</param>
/// <param name="LineError">Fraction of ground-truth lines not found word for word among the lines read.</param>
/// <param name="NoText">Pages on which nothing was read.</param>
/// <param name="PagesPerSecond">Pages read per second of wall-clock time, image loading included.</param>
/// <param name="LinesPerSecond">Ground-truth lines per second.</param>
public sealed record PageMetrics(int Pages, int ReferenceLines, double Cer, double LineError, int NoText, double PagesPerSecond, double LinesPerSecond)
{
    /// <summary>Scores page texts (normalised here with <see cref="PageSet.Normalise"/>) against references.</summary>
    public static PageMetrics Score(IReadOnlyList<string> references, IReadOnlyList<string> hypotheses, double seconds)
    {
        if (references.Count != hypotheses.Count)
        {
            throw new ArgumentException("one hypothesis per reference is needed", nameof(hypotheses));
        }
        long edits = 0, characters = 0;
        int lines = 0, missed = 0, empty = 0;
        for (var i = 0; i < references.Count; i++)
        {
            var reference = PageSet.Normalise(references[i]);
            var hypothesis = PageSet.Normalise(hypotheses[i]);
            empty += hypothesis.Length == 0 ? 1 : 0;
            edits += OcrMetrics.EditDistance(reference, hypothesis);
            characters += reference.Length;
            var read = hypothesis.Split('\n').GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
            foreach (var line in reference.Split('\n').Where(l => l.Length > 0))
            {
                lines++;
                if (read.TryGetValue(line, out var left) && left > 0)
                {
                    read[line] = left - 1;
                }
                else
                {
                    missed++;
                }
            }
        }
        return new PageMetrics(references.Count, lines,
            Math.Round(edits / (double)Math.Max(1, characters), 4),
            Math.Round(missed / (double)Math.Max(1, lines), 4),
            empty,
            Math.Round(references.Count / Math.Max(1e-9, seconds), 2),
            Math.Round(lines / Math.Max(1e-9, seconds), 1));
    }
}

/// <summary>Scores of a folder of pages, overall and per subset.</summary>
/// <param name="Folder">The folder read.</param>
/// <param name="Model">The CRNN model folder.</param>
/// <param name="Tesseract">Tesseract's version line when it was run (one process, default page mode <c>--psm 3</c>), else null.</param>
/// <param name="Subsets">"total" first, then each subset by name. Speeds are measured over the whole set.</param>
public sealed record PageSetReport(string Folder, string Model, string? Tesseract, IReadOnlyList<SubsetScores<PageMetrics>> Subsets);

/// <summary>Runs the CRNN (and Tesseract in the same run) over labelled line folders and page folders.</summary>
public static class OcrSetEvaluator
{
    /// <summary>The name of the whole set in reports.</summary>
    public const string Total = "total";

    /// <summary>Reads every line of a manifest with each decoding (and Tesseract when <paramref name="tesseract"/>)
    /// and scores them per subset.</summary>
    /// <param name="model">The recogniser.</param>
    /// <param name="modelName">Its folder, for the report.</param>
    /// <param name="manifest">The manifest's path, for the report.</param>
    /// <param name="lines">The labelled lines.</param>
    /// <param name="decodings">The CRNN decodings to score.</param>
    /// <param name="tesseract">Tesseract's version line to run it, or null to leave it out.</param>
    /// <param name="scratch">A folder for Tesseract's image lists.</param>
    /// <param name="cores">Threads reading at once (CRNN) and Tesseract processes.</param>
    public static LineSetReport EvaluateLines(CrnnModel model, string modelName, string manifest, IReadOnlyList<ManifestLine> lines, IReadOnlyList<CtcDecoding> decodings, string? tesseract, string scratch, int cores = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cores, 1);
        var paths = lines.Select(l => l.Image).ToList();
        var results = new List<(string Method, IReadOnlyList<string?> Texts, double Seconds)>();
        if (paths.Count > 0)
        {
            // Untimed: the first batches of a newly loaded model pay for one-time setup.
            model.ReadFiles([.. paths.Take(32)], decodings[0], threads: cores);
        }
        foreach (var decoding in decodings)
        {
            var clock = Stopwatch.StartNew();
            var readings = model.ReadFiles(paths, decoding, threads: cores);
            results.Add((CrnnModel.MethodName(decoding), [.. readings.Select(r => r.HasReading ? r.Text : null)], clock.Elapsed.TotalSeconds));
        }
        if (tesseract is not null)
        {
            var clock = Stopwatch.StartNew();
            var texts = Tesseract.Read(paths, null, scratch, threads: 1, processes: cores);
            results.Add(("tesseract", [.. texts], clock.Elapsed.TotalSeconds));
        }
        var subsets = new List<SubsetScores<OcrMetrics>>();
        foreach (var (subset, members) in Subsets(lines.Select(l => l.Subset).ToList()))
        {
            var methods = new Dictionary<string, OcrMetrics>();
            foreach (var (method, texts, seconds) in results)
            {
                methods[method] = OcrMetrics.Score([.. members.Select(i => lines[i].Text)], [.. members.Select(i => texts[i])], seconds * members.Count / Math.Max(1, lines.Count));
            }
            subsets.Add(new SubsetScores<OcrMetrics>(subset, members.Count, methods));
        }
        return new LineSetReport(manifest, modelName, tesseract, subsets);
    }

    /// <summary>Reads every page with <see cref="PageReader"/> (and Tesseract's default page mode when
    /// <paramref name="tesseract"/>) and scores the texts in reading order per subset.</summary>
    /// <param name="model">The line recogniser.</param>
    /// <param name="modelName">Its folder, for the report.</param>
    /// <param name="folder">The page folder, for the report.</param>
    /// <param name="pages">The labelled pages.</param>
    /// <param name="decoding">The CRNN decoding of each line.</param>
    /// <param name="layout">Layout analysis settings.</param>
    /// <param name="tesseract">Tesseract's version line to run it, or null to leave it out.</param>
    /// <param name="scratch">A folder for Tesseract's image lists.</param>
    /// <param name="readings">When not null, receives each method's page texts (for inspection).</param>
    public static PageSetReport EvaluatePages(CrnnModel model, string modelName, string folder, IReadOnlyList<LabelledPage> pages, CtcDecoding decoding, PageLayoutOptions layout, string? tesseract, string scratch, IDictionary<string, IReadOnlyList<string>>? readings = null)
    {
        var results = new List<(string Method, IReadOnlyList<string> Texts, double Seconds)>();
        var clock = Stopwatch.StartNew();
        var texts = new List<string>(pages.Count);
        foreach (var page in pages)
        {
            using var image = Cv2.ImRead(page.Image, ImreadModes.Grayscale);
            texts.Add(image.Empty() ? "" : PageReader.Read(model, image, decoding, layout).Text);
        }
        results.Add(("page/" + CrnnModel.MethodName(decoding), texts, clock.Elapsed.TotalSeconds));
        if (tesseract is not null)
        {
            clock.Restart();
            var read = Tesseract.ReadPages([.. pages.Select(p => p.Image)], scratch, threads: 1);
            results.Add(("tesseract", read, clock.Elapsed.TotalSeconds));
        }
        foreach (var (method, read, _) in results)
        {
            readings?.Add(method, read);
        }
        var subsets = new List<SubsetScores<PageMetrics>>();
        foreach (var (subset, members) in Subsets(pages.Select(p => p.Subset).ToList()))
        {
            var methods = new Dictionary<string, PageMetrics>();
            foreach (var (method, read, seconds) in results)
            {
                methods[method] = PageMetrics.Score([.. members.Select(i => pages[i].Text)], [.. members.Select(i => read[i])], seconds * members.Count / Math.Max(1, pages.Count));
            }
            subsets.Add(new SubsetScores<PageMetrics>(subset, members.Count, methods));
        }
        return new PageSetReport(folder, modelName, tesseract, subsets);
    }

    /// <summary>"total" with every index, then each subset (by name) with its indices, when there is more than one.</summary>
    private static IEnumerable<(string Subset, List<int> Members)> Subsets(IReadOnlyList<string> subsetOf)
    {
        yield return (Total, [.. Enumerable.Range(0, subsetOf.Count)]);
        var groups = Enumerable.Range(0, subsetOf.Count).GroupBy(i => subsetOf[i]).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        if (groups.Count > 1)
        {
            foreach (var group in groups)
            {
                yield return (group.Key, [.. group]);
            }
        }
    }
}
