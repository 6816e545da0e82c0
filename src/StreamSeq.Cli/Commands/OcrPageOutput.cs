using System.Diagnostics;
using System.Text.Json;
using StreamSeq.Learning;
using StreamSeq.Ocr.Model;
using StreamSeq.Ocr.Pages;

namespace StreamSeq.Cli.Commands;

/// <summary><c>ocr --page IMAGE…</c>: reads whole pages, screenshots or frames and prints them as text, Tesseract TSV, hOCR or JSON.</summary>
internal static class OcrPageOutput
{
    /// <summary>The model that reads print, used for pages unless <c>--model</c> names another.</summary>
    public const string DefaultPageModel = "models/ocr-printed";

    public static readonly string[] Formats = ["text", "tsv", "hocr", "json"];

    private static readonly JsonSerializerOptions Compact = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Reads each image as a page and prints them in <paramref name="format"/>; text pages are separated by a form feed, as Tesseract does.</summary>
    public static int Run(IReadOnlyList<string> images, string? model, CtcDecoder decoder, string? lm, double lmWeight, string format, int threads, double maxSkew)
    {
        if (!Formats.Contains(format))
        {
            Console.Error.WriteLine($"streamseq ocr: --format is one of {string.Join(", ", Formats)}");
            return ExitCodes.Invalid;
        }
        if (maxSkew is < 0 or > 45)
        {
            Console.Error.WriteLine("streamseq ocr: --max-skew is 0..45 degrees");
            return ExitCodes.Invalid;
        }
        TorchRuntime.Configure(1, threads);
        using var crnn = CrnnModel.Load(model ?? ShippedModels.Find(DefaultPageModel));
        CtcDecoding decoding;
        try
        {
            decoding = new CtcDecoding(crnn.Alphabet, decoder, OcrConstraints.Build(crnn.Alphabet, lm: lm, lmWeight: lmWeight));
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"streamseq ocr: --{e.Message}");
            return ExitCodes.Invalid;
        }
        var layout = new PageLayoutOptions { MaxSkewDegrees = maxSkew };
        var pages = new List<OcrPage>();
        var names = new List<string?>();
        var failed = false;
        foreach (var path in images)
        {
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"streamseq ocr: '{path}' does not exist");
                failed = true;
                continue;
            }
            using var image = OpenCvSharp.Cv2.ImRead(path, OpenCvSharp.ImreadModes.Grayscale);
            if (image.Empty())
            {
                Console.Error.WriteLine($"streamseq ocr: '{path}' is not an image OpenCV can read");
                failed = true;
                continue;
            }
            var clock = Stopwatch.StartNew();
            var page = PageReader.Read(crnn, image, decoding, layout);
            if (page.NoText is not null)
            {
                Console.Error.WriteLine($"streamseq ocr: {path}: no text: {page.NoText}");
            }
            switch (format)
            {
                case "text":
                    Console.Write((pages.Count > 0 ? "\f" : "") + page.Text + "\n");
                    break;
                case "json":
                    var node = JsonSerializer.SerializeToNode(page, Compact)!.AsObject();
                    node.Insert(0, "path", path);
                    node["ms"] = Math.Round(clock.Elapsed.TotalMilliseconds, 1);
                    Console.WriteLine(node.ToJsonString(Compact));
                    break;
            }
            pages.Add(page);
            names.Add(path);
        }
        if (format == "tsv")
        {
            Console.Write(PageFormats.ToTsv(pages));
        }
        else if (format == "hocr")
        {
            Console.Write(PageFormats.ToHocr(pages, names));
        }
        return failed ? ExitCodes.Failed : ExitCodes.Success;
    }
}
