using OpenCvSharp;
using SkiaSharp;
using StreamSeq.Ocr.Data;
using StreamSeq.Ocr.Evaluation;
using StreamSeq.Ocr.Tests.Support;

namespace StreamSeq.Ocr.Tests.Data;

public sealed class TrainingDataTests : IDisposable
{
    private const string DejaVu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    private readonly string _folder = OcrTestSupport.TempFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Held_out_font_lines_alternate_clean_and_scan_and_their_manifest_names_every_image()
    {
        var faces = new[] { new FontFace(DejaVu, "DejaVu Sans", "dejavu") };
        var manifest = HeldOutFontLines.Write(_folder, faces, ["jackdaw 42", "pelvis"], 4, seed: 3);

        var rows = File.ReadAllLines(manifest).Select(l => l.Split('\t')).ToList();
        Assert.Equal(4, rows.Count);
        Assert.Equal(["clean", "scan", "clean", "scan"], rows.Select(r => r[2]));
        // Lines are drawn from the corpus's words.
        Assert.All(rows, r => Assert.All(r[1].Split(' '), w => Assert.Contains(w, new[] { "jackdaw", "42", "pelvis" })));
        Assert.All(rows, r =>
        {
            using var image = Cv2.ImRead(Path.Combine(_folder, r[0]), ImreadModes.Grayscale);
            Assert.False(image.Empty(), r[0]);
        });
    }

    [Fact]
    public void Reserved_fonts_are_never_listed_and_whole_groups_are_held_out()
    {
        Assert.All(new[] { "Nimbus Sans", "URW Gothic", "C059", "P052", "Z003", "TeX Gyre Termes" }, f => Assert.True(FontCatalog.IsReserved(f), f));
        Assert.False(FontCatalog.IsReserved("DejaVu Sans"));
        Assert.Equal("liberation", FontCatalog.GroupOf("Liberation Sans Narrow"));
        Assert.Equal("liberation", FontCatalog.GroupOf("Tinos"));
        Assert.Equal("noto", FontCatalog.GroupOf("Open Sans Condensed"));

        // A font folder with DejaVu twice: once where Debian puts it, once under a reserved package's folder.
        Directory.CreateDirectory(Path.Combine(_folder, "truetype", "dejavu"));
        Directory.CreateDirectory(Path.Combine(_folder, "opentype", "urw-base35"));
        File.Copy(DejaVu, Path.Combine(_folder, "truetype", "dejavu", "DejaVuSans.ttf"));
        File.Copy(DejaVu, Path.Combine(_folder, "opentype", "urw-base35", "NimbusSans-Regular.ttf"));
        var face = Assert.Single(FontCatalog.Scan(_folder));
        Assert.Equal(("DejaVu Sans", "dejavu"), (face.Family, face.Group));

        var faces = new[] { "Alpha Sans", "Alpha Serif", "Beta", "Gamma Mono", "Delta", "Epsilon", "Zeta", "Eta", "Theta", "DejaVu Sans" }
            .Select(f => new FontFace("/x/" + f, f, FontCatalog.GroupOf(f))).ToList();
        var (training, heldOut) = FontCatalog.Split(faces, 50);
        Assert.Equal(faces.Count, training.Count + heldOut.Count);
        Assert.Empty(training.Select(f => f.Group).Intersect(heldOut.Select(f => f.Group)));
        Assert.DoesNotContain(heldOut, f => f.Group == "dejavu");
        Assert.NotEmpty(heldOut);
        Assert.Equal(heldOut, FontCatalog.Split(faces, 50).HeldOut);
        Assert.Empty(FontCatalog.Split(faces, 0).HeldOut);
    }

    [Fact]
    public void Scan_damage_is_seeded_and_leaves_a_readable_line()
    {
        using var printed = new PrintedLines([DejaVu], ["the quick brown fox jumps over the lazy dog"], scanShare: 1);
        var readable = 0;
        for (var seed = 0; seed < 20; seed++)
        {
            using var a = printed.Render(new Random(seed), "Total: $318.40 (net)");
            using var b = printed.Render(new Random(seed), "Total: $318.40 (net)");
            Assert.Equal(MatType.CV_8UC1, a.Type());
            a.GetArray(out byte[] first);
            b.GetArray(out byte[] second);
            Assert.Equal(first, second);
            readable += LineImage.Prepare(a, 32).Image is not null ? 1 : 0;
        }
        // Damage may be heavy (a third of the resolution, fading and binarisation together) but rarely wipes the ink.
        Assert.True(readable >= 18, $"{readable} of 20 lines still hold ink");
    }

    [Fact]
    public void Corpus_texts_are_whole_lines_or_runs_of_their_words()
    {
        string[] corpus = ["The AES XTS functions provide an API for using the XTS mode.", "Call 555-0199 now!"];
        var words = corpus.SelectMany(l => l.Split(' ')).ToHashSet();
        using var printed = new PrintedLines([DejaVu], corpus, scanShare: 0);
        var random = new Random(3);
        var texts = Enumerable.Range(0, 200).Select(_ => printed.NextText(random)).ToList();
        Assert.All(texts, t => Assert.All(t.Split(' '), w => Assert.Contains(w, words)));
        Assert.Contains(corpus[0], texts);
        Assert.Contains(texts, t => !corpus.Contains(t));
    }

    [Fact]
    public void Lines_of_a_pdf_are_cut_out_with_their_text()
    {
        Assert.True(Poppler.Installed(), "poppler-utils is installed by scripts/setup.sh");
        string[] lines = ["Water flows down the long path to the city.", "Invoice 2041 was paid in full, total $318.40.", "A line with [brackets] is left out.", "Write to Box 77, Queen Street."];
        var pdf = Path.Combine(_folder, "doc.pdf");
        using (var stream = File.OpenWrite(pdf))
        using (var document = SKDocument.CreatePdf(stream))
        using (var face = SKTypeface.FromFile(DejaVu))
        using (var font = new SKFont(face, 12))
        using (var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true })
        {
            var canvas = document.BeginPage(612, 792);
            for (var i = 0; i < lines.Length; i++)
            {
                canvas.DrawText(lines[i], 72, 100 + (i * 24), SKTextAlign.Left, font, paint);
            }
            document.EndPage();
            document.Close();
        }
        Assert.Equal(1, Poppler.PageCount(pdf));
        var extract = DocumentLines.Extract(pdf, Path.Combine(_folder, "lines"), OcrAlphabet.Default, maxLines: 10, maxPages: 5, scanShare: 0, new Random(1));
        Assert.Equal(1, extract.Skipped);
        Assert.Equal(new[] { lines[0], lines[1], lines[3] }.Order(), extract.Lines.Select(l => l.Text).Order());
        foreach (var line in extract.Lines)
        {
            using var image = Cv2.ImRead(line.Image, ImreadModes.Grayscale);
            // At 100-300 dpi a 12 pt line is 17-50 pixels tall with its margins, and several hundred wide.
            Assert.InRange(image.Height, 14, 90);
            Assert.True(image.Width > image.Height * 8, $"{image.Width}x{image.Height}");
            Assert.Equal("clean", line.Subset);
        }
        var text = PageSet.Normalise(Poppler.PageText(pdf, 1));
        Assert.Equal(string.Join('\n', lines), text);
    }
}
