using System.Text;

namespace StreamSeq.Ocr.Evaluation;

/// <summary>One page image with its ground-truth text.</summary>
/// <param name="Image">Path of the image.</param>
/// <param name="Text">Its text in reading order, one line per row.</param>
/// <param name="Subset">The subset it is scored in: its folder relative to the set's root ("all" for the root itself).</param>
public sealed record LabelledPage(string Image, string Text, string Subset);

/// <summary>
/// A folder of page images (<c>.png</c>, <c>.jpg</c>, <c>.jpeg</c>, <c>.tif</c>, <c>.tiff</c>, <c>.pgm</c>), each
/// with its ground truth beside it in a <c>.txt</c> of the same name; sub-folders are subsets. Texts are compared
/// after <see cref="Normalise"/>.
/// </summary>
public static class PageSet
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".tif", ".tiff", ".pgm"];

    /// <summary>The pages under <paramref name="folder"/> that have a ground truth, in path order.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static IReadOnlyList<LabelledPage> Read(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"page folder '{folder}' does not exist");
        }
        var pages = new List<LabelledPage>();
        foreach (var image in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (!Extensions.Contains(Path.GetExtension(image).ToLowerInvariant()))
            {
                continue;
            }
            var truth = Path.ChangeExtension(image, ".txt");
            if (!File.Exists(truth))
            {
                continue;
            }
            var relative = Path.GetRelativePath(folder, Path.GetDirectoryName(image)!);
            pages.Add(new LabelledPage(image, File.ReadAllText(truth), relative == "." ? OcrManifest.DefaultSubset : relative.Replace('\\', '/')));
        }
        return pages;
    }

    /// <summary>
    /// The text as it is scored: compatibility forms folded (NFKC: ligatures such as "ﬁ" become "fi"), curly quotes
    /// and dashes made ASCII, each line's runs of white space made one space and trimmed, empty lines dropped, lines
    /// joined by '\n'. Applied alike to the ground truth and to every reader's output.
    /// </summary>
    public static string Normalise(string text)
    {
        var folded = new StringBuilder(text.Normalize(NormalizationForm.FormKC).Length);
        foreach (var c in text.Normalize(NormalizationForm.FormKC))
        {
            folded.Append(c switch
            {
                '\u2018' or '\u2019' or '\u201A' or '\u2032' => '\'',
                '\u201C' or '\u201D' or '\u201E' or '\u2033' => '"',
                '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' or '\u2212' => '-',
                '\u00A0' or '\t' or '\f' or '\v' => ' ',
                _ => c,
            });
        }
        var lines = folded.ToString().Replace("\r", "", StringComparison.Ordinal).Split('\n')
            .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            .Where(l => l.Length > 0);
        return string.Join('\n', lines);
    }
}
