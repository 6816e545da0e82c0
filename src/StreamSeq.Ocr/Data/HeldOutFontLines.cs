using OpenCvSharp;
using StreamSeq.Ocr.Evaluation;

namespace StreamSeq.Ocr.Data;

/// <summary>
/// A validation set of printed lines drawn only in held-out font families: PNG line images and a manifest whose
/// third column says whether the line is clean or scan-damaged (alternating), for <c>eval ocr --data</c>.
/// </summary>
public static class HeldOutFontLines
{
    /// <summary>Draws <paramref name="count"/> lines into <paramref name="folder"/> and writes its manifest; returns the manifest's path.</summary>
    /// <param name="folder">Where the images and the manifest go (created if missing).</param>
    /// <param name="heldOut">The held-out faces (<see cref="FontCatalog.Split"/>).</param>
    /// <param name="texts">Lines of text to draw from, or null for the generator's word list.</param>
    /// <param name="count">Lines to draw; every second one is scan-damaged.</param>
    /// <param name="seed">Seeds texts, fonts and damage.</param>
    public static string Write(string folder, IReadOnlyList<FontFace> heldOut, IReadOnlyList<string>? texts, int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Directory.CreateDirectory(folder);
        var random = new Random(seed);
        using var clean = new PrintedLines(heldOut.Select(f => f.Path), texts, scanShare: 0);
        using var scanned = new PrintedLines(heldOut.Select(f => f.Path), texts, scanShare: 1);
        var rows = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var scan = i % 2 == 1;
            var renderer = scan ? scanned : clean;
            var text = renderer.NextText(random);
            using var image = renderer.Render(random, text);
            var file = $"line-{i:00000}.png";
            Cv2.ImWrite(Path.Combine(folder, file), image);
            rows.Add($"{file}\t{text}\t{(scan ? "scan" : "clean")}");
        }
        var manifest = Path.Combine(folder, OcrManifest.FileName);
        File.WriteAllLines(manifest, rows);
        return manifest;
    }
}
