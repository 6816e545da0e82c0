namespace StreamSeq.Ocr.Evaluation;

/// <summary>One labelled line image of a manifest.</summary>
/// <param name="Image">Path of the image.</param>
/// <param name="Text">Its transcription.</param>
/// <param name="Subset">The subset it is scored in (the manifest's third column, or "all").</param>
public sealed record ManifestLine(string Image, string Text, string Subset);

/// <summary>
/// A folder of line images described by <c>manifest.tsv</c>: one <c>image&lt;TAB&gt;text[&lt;TAB&gt;subset]</c> per
/// row, image paths relative to the manifest. Unlike a training list, the text may hold characters a model cannot
/// write: they count as errors.
/// </summary>
public static class OcrManifest
{
    /// <summary>The manifest's file name inside a folder.</summary>
    public const string FileName = "manifest.tsv";

    /// <summary>The subset of lines whose manifest row names none.</summary>
    public const string DefaultSubset = "all";

    /// <summary>The manifest of a folder (its <see cref="FileName"/>) or a manifest file itself, or null when there is none.</summary>
    public static string? Find(string folderOrFile) =>
        File.Exists(folderOrFile) ? folderOrFile : File.Exists(Path.Combine(folderOrFile, FileName)) ? Path.Combine(folderOrFile, FileName) : null;

    /// <summary>Reads a manifest.</summary>
    /// <exception cref="InvalidDataException">A row without a tab, or an image that does not exist (naming file and row).</exception>
    public static IReadOnlyList<ManifestLine> Read(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var lines = new List<ManifestLine>();
        var number = 0;
        foreach (var row in File.ReadLines(path))
        {
            number++;
            if (row.Length == 0 || row.StartsWith('#'))
            {
                continue;
            }
            var fields = row.Split('\t');
            if (fields.Length is < 2 or > 3 || fields[0].Length == 0)
            {
                throw new InvalidDataException($"{path}:{number}: expected 'image<TAB>text[<TAB>subset]'");
            }
            var image = Path.Combine(folder, fields[0]);
            if (!File.Exists(image))
            {
                throw new InvalidDataException($"{path}:{number}: image '{image}' does not exist");
            }
            lines.Add(new ManifestLine(image, fields[1], fields.Length == 3 && fields[2].Length > 0 ? fields[2] : DefaultSubset));
        }
        return lines;
    }
}
