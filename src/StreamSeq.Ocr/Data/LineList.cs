namespace StreamSeq.Ocr.Data;

/// <summary>One labelled line image.</summary>
/// <param name="Image">Path of the image.</param>
/// <param name="Text">Its transcription.</param>
public sealed record LineSample(string Image, string Text);

/// <summary>
/// Line lists: text files with one <c>image&lt;TAB&gt;text</c> per line, image paths relative to the list's
/// folder (or absolute). What <c>streamseq data ocr</c> writes and what the trainer and evaluator read.
/// </summary>
public static class LineList
{
    /// <summary>Reads a list, checking that every image exists and, with an alphabet, that every label is covered.</summary>
    /// <exception cref="InvalidDataException">A malformed line, a missing image or a character outside the alphabet (naming file and line).</exception>
    public static IReadOnlyList<LineSample> Read(string path, OcrAlphabet? alphabet = null)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"line list '{path}' does not exist; make the generated set with: streamseq data ocr", path);
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var samples = new List<LineSample>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab <= 0)
            {
                throw new InvalidDataException($"{path}:{number}: expected 'image<TAB>text'");
            }
            var image = Path.Combine(folder, line[..tab]);
            var text = line[(tab + 1)..];
            if (!File.Exists(image))
            {
                throw new InvalidDataException($"{path}:{number}: image '{image}' does not exist");
            }
            alphabet?.Encode(text, $"{path}:{number}");
            samples.Add(new LineSample(image, text));
        }
        return samples;
    }

    /// <summary>Writes a list with image paths relative to the list's folder.</summary>
    public static void Write(string path, IEnumerable<LineSample> samples)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        File.WriteAllLines(path, samples.Select(s => $"{Path.GetRelativePath(folder, s.Image)}\t{s.Text}"));
    }
}
