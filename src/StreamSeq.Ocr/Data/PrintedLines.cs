using OpenCvSharp;
using SkiaSharp;

namespace StreamSeq.Ocr.Data;

/// <summary>
/// Printed text lines rendered with installed TrueType fonts (Debian fonts-dejavu, fonts-liberation2,
/// fonts-freefont-ttf) through SkiaSharp, then degraded: small rotation, blur, contrast change and noise.
/// Text is a random run of common English words, capitalised words, numbers, amounts and punctuation.
/// Dark ink on a light background, 8-bit gray.
/// </summary>
public sealed class PrintedLines : IDisposable
{
    /// <summary>Where the Debian font packages put their files.</summary>
    public static readonly string[] FontFolders =
    [
        "/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/freefont",
    ];

    private static readonly string[] Words =
    [
        "the", "of", "and", "to", "in", "is", "you", "that", "it", "he", "was", "for", "on", "are", "as", "with",
        "his", "they", "at", "be", "this", "have", "from", "or", "one", "had", "by", "word", "but", "not", "what",
        "all", "were", "we", "when", "your", "can", "said", "there", "use", "an", "each", "which", "she", "do",
        "how", "their", "if", "will", "up", "other", "about", "out", "many", "then", "them", "these", "so", "some",
        "her", "would", "make", "like", "him", "into", "time", "has", "look", "two", "more", "write", "go", "see",
        "number", "no", "way", "could", "people", "my", "than", "first", "water", "been", "call", "who", "oil",
        "its", "now", "find", "long", "down", "day", "did", "get", "come", "made", "may", "part", "stream",
        "frame", "video", "pipeline", "stage", "model", "lattice", "graph", "path", "score", "train", "test",
        "image", "line", "text", "read", "paper", "bank", "cheque", "amount", "total", "date", "invoice", "order",
        "street", "city", "north", "south", "market", "price", "quick", "brown", "fox", "jumps", "lazy", "dog",
        "zero", "queen", "jazz", "box", "quiz", "vex", "judge", "kilo", "yacht", "wharf", "gym", "pixel",
    ];

    private static readonly string[] Punctuation = [".", ",", ":", ";", "!", "?"];

    private readonly List<(string Path, SKTypeface Face)> _fonts = [];

    /// <summary>Loads every regular/bold/italic TrueType font found in <paramref name="folders"/>.</summary>
    /// <exception cref="FileNotFoundException">No font was found (install the font packages: scripts/setup.sh).</exception>
    public PrintedLines(IEnumerable<string>? folders = null)
    {
        foreach (var folder in folders ?? FontFolders)
        {
            if (!Directory.Exists(folder))
            {
                continue;
            }
            foreach (var path in Directory.GetFiles(folder, "*.ttf").Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(path);
                // Extra-light and math faces are not text faces one would print a line in.
                if (name.Contains("ExtraLight", StringComparison.Ordinal) || name.Contains("Math", StringComparison.Ordinal))
                {
                    continue;
                }
                var face = SKTypeface.FromFile(path);
                if (face is not null)
                {
                    _fonts.Add((path, face));
                }
            }
        }
        if (_fonts.Count == 0)
        {
            throw new FileNotFoundException($"no TrueType fonts in {string.Join(", ", folders ?? FontFolders)}; install fonts-dejavu, fonts-liberation2 and fonts-freefont-ttf (scripts/setup.sh)");
        }
    }

    /// <summary>
    /// A renderer over chosen font files (e.g. the training side of <see cref="FontCatalog.Split"/>) that draws its
    /// texts from <paramref name="corpus"/> when one is given and damages a <paramref name="scanShare"/> of its
    /// lines with <see cref="ScanDegradation"/>.
    /// </summary>
    /// <param name="fonts">Font files (.ttf or .otf).</param>
    /// <param name="corpus">Lines of real text, every character in the alphabet (null: <see cref="RandomText"/>).</param>
    /// <param name="scanShare">Fraction of lines given scan-like damage instead of the light default degradation.</param>
    /// <exception cref="FileNotFoundException">No font could be loaded.</exception>
    public PrintedLines(IEnumerable<string> fonts, IReadOnlyList<string>? corpus, double scanShare)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(scanShare);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scanShare, 1);
        foreach (var path in fonts)
        {
            if (SKTypeface.FromFile(path) is { } face)
            {
                _fonts.Add((path, face));
            }
        }
        if (_fonts.Count == 0)
        {
            throw new FileNotFoundException("none of the given fonts could be loaded");
        }
        _corpus = corpus is { Count: > 0 } ? corpus : null;
        _scanShare = scanShare;
    }

    private readonly IReadOnlyList<string>? _corpus;
    private readonly double _scanShare;

    /// <summary>
    /// The next training text: with a corpus, half the time one of its lines whole (cut at a word to at most 90
    /// characters) and otherwise a run of 1–8 of its words; without one, <see cref="RandomText"/>.
    /// </summary>
    public string NextText(Random random)
    {
        if (_corpus is null)
        {
            return RandomText(random);
        }
        var line = _corpus[random.Next(_corpus.Count)];
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            return RandomText(random);
        }
        var (start, count) = random.NextDouble() < 0.5 ? (0, words.Length) : (random.Next(words.Length), random.Next(1, 9));
        var text = "";
        foreach (var word in words.Skip(start).Take(count))
        {
            if (text.Length > 0 && text.Length + 1 + word.Length > 90)
            {
                break;
            }
            text = text.Length == 0 ? (word.Length > 90 ? word[..90] : word) : text + " " + word;
        }
        return text;
    }

    /// <summary>Font files in use.</summary>
    public IReadOnlyList<string> Fonts => [.. _fonts.Select(f => f.Path)];

    /// <summary>A random line of text from the word list (1–4 tokens, at most <paramref name="maxLength"/> characters).</summary>
    public static string RandomText(Random random, int maxLength = 24)
    {
        var tokens = new List<string>();
        var count = random.Next(1, 5);
        for (var i = 0; i < count; i++)
        {
            var kind = random.NextDouble();
            var token = kind switch
            {
                < 0.6 => Words[random.Next(Words.Length)],
                < 0.75 => Capitalise(Words[random.Next(Words.Length)]),
                < 0.82 => Words[random.Next(Words.Length)].ToUpperInvariant(),
                < 0.9 => random.Next(0, 100000).ToString(System.Globalization.CultureInfo.InvariantCulture),
                < 0.95 => "$" + random.Next(1, 1000) + "." + random.Next(0, 100).ToString("00", System.Globalization.CultureInfo.InvariantCulture),
                _ => "(" + Words[random.Next(Words.Length)] + ")",
            };
            if (random.NextDouble() < 0.15)
            {
                token += Punctuation[random.Next(Punctuation.Length)];
            }
            if (tokens.Count > 0 && string.Join(' ', tokens).Length + 1 + token.Length > maxLength)
            {
                break;
            }
            tokens.Add(token.Length > maxLength ? token[..maxLength] : token);
        }
        return string.Join(' ', tokens);
    }

    private static string Capitalise(string word) => char.ToUpperInvariant(word[0]) + word[1..];

    /// <summary>Renders <paramref name="text"/> in a random font and size, degraded at random.</summary>
    /// <returns>An 8-bit gray image the caller owns.</returns>
    public Mat Render(Random random, string text)
    {
        if (_scanShare > 0 && random.NextDouble() < _scanShare)
        {
            return RenderScanned(random, text);
        }
        var (_, face) = _fonts[random.Next(_fonts.Count)];
        var size = 18 + (random.NextDouble() * 14);
        using var font = new SKFont(face, (float)size);
        var width = (int)Math.Ceiling(font.MeasureText(text)) + (int)(size * 1.2);
        var height = (int)Math.Ceiling(size * 1.6);
        var paper = (byte)random.Next(200, 256);
        var ink = (byte)random.Next(0, 90);
        using var bitmap = new SKBitmap(width, height, SKColorType.Gray8, SKAlphaType.Opaque);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(paper, paper, paper));
            using var paint = new SKPaint { Color = new SKColor(ink, ink, ink), IsAntialias = true };
            var baseline = (float)((height / 2.0) + (size * 0.35) + random.Next(-2, 3));
            canvas.DrawText(text, (float)(size * 0.6) + random.Next(-3, 4), baseline, SKTextAlign.Left, font, paint);
        }
        using var gray = new Mat(height, width, MatType.CV_8UC1);
        var pixels = bitmap.GetPixelSpan();
        for (var r = 0; r < height; r++)
        {
            var row = pixels.Slice(r * bitmap.RowBytes, width).ToArray();
            System.Runtime.InteropServices.Marshal.Copy(row, 0, gray.Ptr(r), width);
        }
        using var rotated = Rotate(gray, (random.NextDouble() - 0.5) * 3.0, paper);
        using var floats = new Mat();
        rotated.ConvertTo(floats, MatType.CV_32FC1, 1 / 255.0);
        var sigma = random.NextDouble() * 1.1;
        if (sigma > 0.3)
        {
            Cv2.GaussianBlur(floats, floats, new Size(0, 0), sigma);
        }
        HandwrittenLines.AddNoise(floats, random, random.NextDouble() * 0.06);
        var result = new Mat();
        floats.ConvertTo(result, MatType.CV_8UC1, 255.0);
        return result;
    }

    /// <summary>The text in a random font, size and crop (tight to loose), then damaged by <see cref="ScanDegradation"/>.</summary>
    private Mat RenderScanned(Random random, string text)
    {
        var (_, face) = _fonts[random.Next(_fonts.Count)];
        var size = 16 + (random.NextDouble() * 26);
        using var font = new SKFont(face, (float)size);
        font.MeasureText(text, out var bounds);
        var padX = (int)(size * (0.05 + (random.NextDouble() * 0.8)));
        var padTop = (int)(size * (0.05 + (random.NextDouble() * 0.5)));
        var padBottom = (int)(size * (0.05 + (random.NextDouble() * 0.5)));
        // Ascent/descent of the font rather than of this text, so lines without descenders keep their place.
        var metrics = font.Metrics;
        var above = Math.Max(-metrics.Ascent, -bounds.Top);
        var below = Math.Max(metrics.Descent, bounds.Bottom);
        var width = (int)Math.Ceiling(bounds.Width) + (2 * padX) + 2;
        var height = (int)Math.Ceiling(above + below) + padTop + padBottom;
        var paper = (byte)random.Next(170, 256);
        var ink = (byte)random.Next(0, Math.Max(1, paper - 90));
        using var bitmap = new SKBitmap(width, height, SKColorType.Gray8, SKAlphaType.Opaque);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(paper, paper, paper));
            using var paint = new SKPaint { Color = new SKColor(ink, ink, ink), IsAntialias = true };
            canvas.DrawText(text, padX - bounds.Left + 1, padTop + above, SKTextAlign.Left, font, paint);
        }
        using var gray = new Mat(height, width, MatType.CV_8UC1);
        var pixels = bitmap.GetPixelSpan();
        for (var r = 0; r < height; r++)
        {
            var row = pixels.Slice(r * bitmap.RowBytes, width).ToArray();
            System.Runtime.InteropServices.Marshal.Copy(row, 0, gray.Ptr(r), width);
        }
        return ScanDegradation.Apply(gray, random);
    }

    private static Mat Rotate(Mat image, double degrees, byte background)
    {
        using var matrix = Cv2.GetRotationMatrix2D(new Point2f(image.Width / 2f, image.Height / 2f), degrees, 1.0);
        var result = new Mat();
        Cv2.WarpAffine(image, result, matrix, image.Size(), InterpolationFlags.Linear, BorderTypes.Constant, new Scalar(background));
        return result;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (_, face) in _fonts)
        {
            face.Dispose();
        }
        _fonts.Clear();
    }
}
