using SkiaSharp;

namespace StreamSeq.Ocr.Data;

/// <summary>One installed font file that can write the whole OCR alphabet.</summary>
/// <param name="Path">The font file.</param>
/// <param name="Family">Its family name as the font states it.</param>
/// <param name="Group">The hold-out group: the family's first word, lower case ("liberation" for Liberation Sans
/// Narrow and Liberation Serif), so near relatives are held out together and never leak into training.</param>
public sealed record FontFace(string Path, string Family, string Group);

/// <summary>
/// The TrueType and OpenType fonts installed under <c>/usr/share/fonts</c> that write every character of the
/// alphabet, grouped for holding whole families out. Fonts reserved for the independent OCR test are never
/// listed: Debian <c>fonts-urw-base35</c> (Nimbus, URW Gothic, URW Bookman, C059, P052, Z003, D050000L, Standard
/// Symbols) and, being derived from them, TeX Gyre (and the gsfonts they came from).
/// </summary>
public static class FontCatalog
{
    /// <summary>Where Debian's font packages install.</summary>
    public const string DefaultRoot = "/usr/share/fonts";

    /// <summary>Family prefixes never used (reserved for the independent test, or derived from what is).</summary>
    public static readonly string[] ReservedFamilies = ["Nimbus", "URW", "C059", "P052", "Z003", "D050000L", "Standard Symbols", "TeX Gyre", "TeXGyre"];

    /// <summary>Path fragments never used, for the same reason.</summary>
    public static readonly string[] ReservedPaths = ["urw-base35", "texgyre", "gsfonts", "type1/urw"];

    /// <summary>Groups the printed models were first trained on: always training fonts.</summary>
    public static readonly string[] AlwaysTraining = ["dejavu", "liberation", "freesans", "freeserif", "freemono"];

    // Not text faces one prints a document in, or faces whose glyphs do not match the characters asked for
    // (small caps draw capitals for lower-case letters, keyboard faces draw keys).
    private static readonly string[] NotText = ["Math", "Symbol", "Emoji", "Icon", "Dingbat", "Ornament", "Hairline", "Thin", "ExtraLight", "Braille", "Fallback", "Smallcaps", "SmallCaps", "Small Caps", "Keyboard"];

    // Families drawn from the same design go in one group: Arimo, Tinos and Cousine are Liberation 2's sources,
    // Noto Sans grew out of Open Sans, Carlito out of Lato.
    private static readonly Dictionary<string, string> SameDesign = new(StringComparer.Ordinal)
    {
        ["arimo"] = "liberation", ["tinos"] = "liberation", ["cousine"] = "liberation", ["open"] = "noto", ["carlito"] = "lato",
    };

    // Noto's script families repeat Noto Sans/Serif's Latin glyphs: only the Latin families are kept.
    private static readonly string[] NotoLatin = ["Noto Sans", "Noto Serif", "Noto Sans Mono", "Noto Sans Display", "Noto Serif Display", "Noto Mono"];

    /// <summary>Every usable font under <paramref name="root"/>, in path order.</summary>
    /// <param name="root">The folder to search (recursively).</param>
    /// <param name="alphabet">Characters every listed font must have glyphs for.</param>
    public static IReadOnlyList<FontFace> Scan(string root = DefaultRoot, string? alphabet = null)
    {
        alphabet ??= OcrAlphabet.Default.Characters;
        var faces = new List<FontFace>();
        if (!Directory.Exists(root))
        {
            return faces;
        }
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(p => p.EndsWith(".ttf", StringComparison.OrdinalIgnoreCase) || p.EndsWith(".otf", StringComparison.OrdinalIgnoreCase))
            .Where(p => !ReservedPaths.Any(r => p.Contains(r, StringComparison.OrdinalIgnoreCase)))
            .Order(StringComparer.Ordinal);
        foreach (var path in files)
        {
            var name = System.IO.Path.GetFileName(path);
            if (NotText.Any(n => name.Contains(n, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }
            using var face = SKTypeface.FromFile(path);
            if (face is null)
            {
                continue;
            }
            var family = face.FamilyName ?? "";
            if (family.Length == 0 || IsReserved(family) || NotText.Any(n => family.Contains(n, StringComparison.OrdinalIgnoreCase))
                || (family.StartsWith("Noto ", StringComparison.Ordinal) && !NotoLatin.Contains(family)))
            {
                continue;
            }
            using var font = new SKFont(face, 20);
            if (!font.ContainsGlyphs(alphabet.Replace(" ", "", StringComparison.Ordinal)))
            {
                continue;
            }
            faces.Add(new FontFace(path, family, GroupOf(family)));
        }
        return faces;
    }

    /// <summary>Whether a family is reserved for the independent test (or derived from a reserved one).</summary>
    public static bool IsReserved(string family) => ReservedFamilies.Any(r => family.StartsWith(r, StringComparison.OrdinalIgnoreCase));

    /// <summary>The hold-out group of a family: its first word, lower case, with families of one design together.</summary>
    public static string GroupOf(string family)
    {
        var first = family.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0].ToLowerInvariant();
        return SameDesign.GetValueOrDefault(first, first);
    }

    /// <summary>
    /// Splits the faces into training and held-out ones by group: a group is held out when a stable hash of its name
    /// falls in the lowest <paramref name="percent"/> of 100 (never for <see cref="AlwaysTraining"/>), so the split
    /// does not move when fonts are added and whole families stay on one side.
    /// </summary>
    public static (IReadOnlyList<FontFace> Training, IReadOnlyList<FontFace> HeldOut) Split(IReadOnlyList<FontFace> faces, int percent)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(percent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        bool HeldOut(FontFace f) => !AlwaysTraining.Contains(f.Group) && StableHash(f.Group) % 100 < percent;
        return ([.. faces.Where(f => !HeldOut(f))], [.. faces.Where(HeldOut)]);
    }

    /// <summary>FNV-1a of the UTF-16 code units: the same on every machine and run (string.GetHashCode is not).</summary>
    internal static uint StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return hash;
    }
}
