using System.Text.Json;
using StreamSeq.Learning;
using StreamSeq.Ocr.Evaluation;
using StreamSeq.Ocr.Model;
using StreamSeq.Ocr.Pages;

namespace StreamSeq.Cli.Commands;

/// <summary><c>eval ocr --data DIR</c> (a folder with a manifest) and <c>eval ocr --pages DIR</c>: parse, run
/// <see cref="OcrSetEvaluator"/>, print its report as JSON.</summary>
internal static class OcrSetEval
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Scores the manifest's lines with the CRNN (greedy, and Viterbi under each LM) and Tesseract.</summary>
    public static int Lines(string manifest, string model, IReadOnlyList<string> lms, IReadOnlyList<double> lmWeights, int limit, int cores, bool tesseract)
    {
        TorchRuntime.Configure(1, 1);
        using var crnn = CrnnModel.Load(model);
        var lines = OcrManifest.Read(manifest);
        if (limit > 0)
        {
            lines = [.. lines.Take(limit)];
        }
        var decodings = new List<CtcDecoding> { new(crnn.Alphabet) };
        foreach (var lm in lms)
        {
            foreach (var weight in lmWeights)
            {
                decodings.Add(new CtcDecoding(crnn.Alphabet, CtcDecoder.Viterbi, OcrConstraints.Build(crnn.Alphabet, lm: lm, lmWeight: weight)));
            }
        }
        Console.Error.WriteLine($"eval ocr: {lines.Count} lines of {manifest} with {model}{(tesseract ? " and tesseract" : "")}");
        var report = OcrSetEvaluator.EvaluateLines(crnn, model, manifest, lines, decodings, tesseract ? TesseractOrNull() : null, Scratch, cores);
        Console.WriteLine(JsonSerializer.Serialize(report, Indented));
        return ExitCodes.Success;
    }

    /// <summary>Scores the folder's pages read whole by <c>ocr --page</c>'s reader and by Tesseract's default page mode.</summary>
    public static int Pages(string folder, string model, int limit, bool tesseract, string? saveTo)
    {
        TorchRuntime.Configure(1, 1);
        using var crnn = CrnnModel.Load(model);
        var pages = PageSet.Read(folder);
        if (limit > 0)
        {
            pages = [.. pages.Take(limit)];
        }
        if (pages.Count == 0)
        {
            Console.Error.WriteLine($"streamseq eval ocr: no page image with a .txt beside it under {folder}");
            return ExitCodes.Invalid;
        }
        Console.Error.WriteLine($"eval ocr: {pages.Count} pages of {folder} with {model}{(tesseract ? " and tesseract" : "")}");
        var readings = new Dictionary<string, IReadOnlyList<string>>();
        var report = OcrSetEvaluator.EvaluatePages(crnn, model, folder, pages, new CtcDecoding(crnn.Alphabet), PageLayoutOptions.Default, tesseract ? TesseractOrNull() : null, Scratch, readings);
        if (saveTo is not null)
        {
            foreach (var (method, texts) in readings)
            {
                var into = Path.Combine(saveTo, method.Replace('/', '_'));
                for (var i = 0; i < pages.Count; i++)
                {
                    var path = Path.Combine(into, Path.ChangeExtension(Path.GetRelativePath(folder, pages[i].Image), ".txt"));
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    File.WriteAllText(path, texts[i]);
                }
            }
        }
        Console.WriteLine(JsonSerializer.Serialize(report, Indented));
        return ExitCodes.Success;
    }

    private static string Scratch => Path.Combine(Path.GetTempPath(), "streamseq-ocr");

    private static string? TesseractOrNull()
    {
        var version = Tesseract.Version();
        if (version is null)
        {
            Console.Error.WriteLine("eval ocr: tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-eng); scoring the CRNN alone");
        }
        return version;
    }
}
