using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamSeq.Ocr.Data;
using StreamSeq.Ocr.Evaluation;

namespace StreamSeq.Cli.Commands;

/// <summary><c>data ocr-docs</c> (line images and pages of real PDFs) and <c>data ocr-fonts</c> (the font
/// catalogue's hold-out split and lines in the held-out families).</summary>
internal static class OcrDataSets
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Documents()
    {
        var pdfs = new Option<string[]>("--pdf") { Description = "PDF files to cut lines from (repeatable)", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Folder to write: line images, manifest.tsv (image, text, clean|scan), lines.tsv (image, text: a training list), corpus.txt (every in-alphabet line of the pages visited) and pages/<document>/ (with --page-images)", Required = true };
        var linesPerDocument = new Option<int>("--lines-per-doc") { Description = "Line images per document", DefaultValueFactory = _ => 150 };
        var pagesPerDocument = new Option<int>("--pages-per-doc") { Description = "Pages sampled per document", DefaultValueFactory = _ => 25 };
        var scan = new Option<double>("--scan") { Description = "Share of line images given scan-like damage", DefaultValueFactory = _ => 0.5 };
        var pageImages = new Option<int>("--page-images") { Description = "Also write this many whole pages per document (150 dpi, gray) with pdftotext's text beside each, for eval ocr --pages", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "Seeds pages, lines, resolutions and damage", DefaultValueFactory = _ => 1 };
        var command = new Command("ocr-docs", "Line images (100-300 dpi, half with scan-like damage) and whole pages cut from real PDFs with pdftoppm and pdftotext -bbox-layout (poppler-utils)")
        {
            pdfs, output, linesPerDocument, pagesPerDocument, scan, pageImages, seed,
        };
        command.SetAction(result =>
        {
            if (!Poppler.Installed())
            {
                Console.Error.WriteLine("streamseq data ocr-docs: needs poppler-utils (apt-get install poppler-utils)");
                return ExitCodes.Failed;
            }
            var folder = result.GetValue(output)!;
            var random = new Random(result.GetValue(seed));
            var all = new List<ManifestLine>();
            var corpus = new List<string>();
            var report = new JsonObject();
            foreach (var pdf in result.GetValue(pdfs)!)
            {
                var extract = DocumentLines.Extract(pdf, folder, OcrAlphabet.Default, result.GetValue(linesPerDocument), result.GetValue(pagesPerDocument), result.GetValue(scan), random);
                all.AddRange(extract.Lines);
                corpus.AddRange(extract.Corpus);
                var name = Path.GetFileNameWithoutExtension(pdf);
                report[name] = new JsonObject { ["pdf"] = pdf, ["lines"] = extract.Lines.Count, ["skippedOutsideAlphabet"] = extract.Skipped };
                Console.Error.WriteLine($"data ocr-docs: {name}: {extract.Lines.Count} lines ({extract.Skipped} left out: characters outside the alphabet)");
                var pages = result.GetValue(pageImages);
                if (pages > 0)
                {
                    var into = Path.Combine(folder, "pages", name);
                    Directory.CreateDirectory(into);
                    var count = Poppler.PageCount(pdf);
                    foreach (var page in Enumerable.Range(1, count).OrderBy(_ => random.Next()).Take(pages).Order())
                    {
                        using var image = Poppler.Render(pdf, page, 150, Path.Combine(Path.GetTempPath(), "streamseq-ocr"));
                        OpenCvSharp.Cv2.ImWrite(Path.Combine(into, $"p{page:000}.png"), image);
                        File.WriteAllText(Path.Combine(into, $"p{page:000}.txt"), Poppler.PageText(pdf, page));
                    }
                }
            }
            File.WriteAllLines(Path.Combine(folder, OcrManifest.FileName), all.Select(l => $"{Path.GetRelativePath(folder, l.Image)}\t{l.Text}\t{l.Subset}"));
            File.WriteAllLines(Path.Combine(folder, "lines.tsv"), all.Select(l => $"{Path.GetRelativePath(folder, l.Image)}\t{l.Text}"));
            File.WriteAllLines(Path.Combine(folder, "corpus.txt"), corpus);
            Console.WriteLine(report.ToJsonString(Indented));
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Fonts()
    {
        var output = new Option<string>("--out", "-o") { Description = "Folder to write: fonts.json (every usable font, training or held out) and, with --lines, held-out line images with manifest.tsv (subsets clean and scan)", Required = true };
        var root = new Option<string>("--font-root") { Description = "Folder searched for .ttf and .otf fonts", DefaultValueFactory = _ => FontCatalog.DefaultRoot };
        var holdOut = new Option<int>("--held-out-percent") { Description = "Share of font groups (a family's first word) held out for validation", DefaultValueFactory = _ => 20 };
        var lines = new Option<int>("--lines") { Description = "Line images to draw in the held-out families (half of them scan-damaged)", DefaultValueFactory = _ => 0 };
        var corpus = new Option<string[]>("--corpus") { Description = "Text files whose lines are drawn (default: the generator's word list)" };
        var seed = new Option<int>("--seed") { Description = "Seeds texts, fonts and damage", DefaultValueFactory = _ => 7 };
        var command = new Command("ocr-fonts", "The installed fonts that write the OCR alphabet (fonts-urw-base35 and TeX Gyre, reserved, left out), split by family group into training and held-out, and lines drawn in the held-out ones")
        {
            output, root, holdOut, lines, corpus, seed,
        };
        command.SetAction(result =>
        {
            var folder = result.GetValue(output)!;
            Directory.CreateDirectory(folder);
            var faces = FontCatalog.Scan(result.GetValue(root)!);
            var (training, heldOut) = FontCatalog.Split(faces, result.GetValue(holdOut));
            var summary = new JsonObject
            {
                ["fonts"] = faces.Count,
                ["trainingGroups"] = new JsonArray([.. training.Select(f => f.Group).Distinct().Order().Select(g => (JsonNode)g)]),
                ["heldOutGroups"] = new JsonArray([.. heldOut.Select(f => f.Group).Distinct().Order().Select(g => (JsonNode)g)]),
                ["training"] = JsonSerializer.SerializeToNode(training, Indented),
                ["heldOut"] = JsonSerializer.SerializeToNode(heldOut, Indented),
            };
            File.WriteAllText(Path.Combine(folder, "fonts.json"), summary.ToJsonString(Indented));
            Console.Error.WriteLine($"data ocr-fonts: {faces.Count} fonts, {training.Count} training, {heldOut.Count} held out ({string.Join(", ", heldOut.Select(f => f.Group).Distinct().Order())})");
            var count = result.GetValue(lines);
            if (count > 0)
            {
                HeldOutFontLines.Write(folder, heldOut, ReadCorpus(result.GetValue(corpus)), count, result.GetValue(seed));
            }
            Console.WriteLine(new JsonObject { ["fonts"] = faces.Count, ["training"] = training.Count, ["heldOut"] = heldOut.Count, ["heldOutGroups"] = summary["heldOutGroups"]!.DeepClone() }.ToJsonString(Indented));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The non-empty lines of the corpus files, each trimmed (null when none are given).</summary>
    public static IReadOnlyList<string>? ReadCorpus(string[]? files) =>
        files is { Length: > 0 } ? [.. files.SelectMany(File.ReadLines).Select(l => l.Trim()).Where(l => l.Length > 0)] : null;
}
