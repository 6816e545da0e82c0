using OpenCvSharp;
using StreamSeq.Learning;
using StreamSeq.Ocr.Data;
using StreamSeq.Ocr.Evaluation;
using StreamSeq.Ocr.Model;
using StreamSeq.Ocr.Pages;
using StreamSeq.Ocr.Tests.Support;

namespace StreamSeq.Ocr.Tests.Evaluation;

public sealed class OcrSetEvaluatorTests : IDisposable
{
    private readonly string _folder = OcrTestSupport.TempFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_manifest_gives_each_row_its_subset_and_names_the_bad_row()
    {
        File.Copy(OcrTestSupport.PathOf("samples/ocr/printed.png"), Path.Combine(_folder, "a.png"));
        var manifest = Path.Combine(_folder, OcrManifest.FileName);
        File.WriteAllLines(manifest, ["# comment", "a.png\tHello, world\tserif", "", "a.png\tno subset"]);
        Assert.Equal(manifest, OcrManifest.Find(_folder));
        var lines = OcrManifest.Read(manifest);
        Assert.Equal(["serif", OcrManifest.DefaultSubset], lines.Select(l => l.Subset));
        Assert.Equal(Path.Combine(_folder, "a.png"), lines[0].Image);
        File.AppendAllLines(manifest, ["missing.png\ttext"]);
        var error = Assert.Throws<InvalidDataException>(() => OcrManifest.Read(manifest));
        Assert.Contains(":5:", error.Message, StringComparison.Ordinal);
        Assert.Null(OcrManifest.Find(Path.Combine(_folder, "nowhere")));
    }

    [Fact]
    public void Lines_are_scored_per_subset_and_in_total()
    {
        TorchRuntime.Configure(1, 1);
        var samples = LineList.Read(OcrTestSupport.PathOf("samples/ocr/labels.tsv"));
        // Each sample twice: once labelled right in subset "right", once with two characters changed in "wrong".
        var rows = new List<string>();
        foreach (var (sample, i) in samples.Select((s, i) => (s, i)))
        {
            File.Copy(sample.Image, Path.Combine(_folder, $"{i}.png"));
            rows.Add($"{i}.png\t{sample.Text}\tright");
            rows.Add($"{i}.png\t{sample.Text}zz\twrong");
        }
        var manifest = Path.Combine(_folder, OcrManifest.FileName);
        File.WriteAllLines(manifest, rows);
        using var model = CrnnModel.Load(OcrTestSupport.PathOf("models/ocr"));
        var report = OcrSetEvaluator.EvaluateLines(model, "models/ocr", manifest, OcrManifest.Read(manifest), [new CtcDecoding(model.Alphabet)], tesseract: null, _folder);
        Assert.Equal([OcrSetEvaluator.Total, "right", "wrong"], report.Subsets.Select(s => s.Subset));
        var method = CrnnModel.MethodName(new CtcDecoding(model.Alphabet));
        var right = report.Subsets[1].Methods[method];
        var wrong = report.Subsets[2].Methods[method];
        Assert.Equal((samples.Count, 0.0, 0.0), (right.Lines, right.Cer, right.LineError));
        var characters = samples.Sum(s => s.Text.Length + 2);
        Assert.Equal(Math.Round(2.0 * samples.Count / characters, 4), wrong.Cer);
        Assert.Equal(1.0, wrong.LineError);
        Assert.Equal(2 * samples.Count, report.Subsets[0].Items);
    }

    [Fact]
    public void Page_scores_count_reading_order_and_whole_lines_after_normalising()
    {
        Assert.Equal("fine \"quotes\" - dash\nnext line", PageSet.Normalise("  \uFB01ne  \u201Cquotes\u201D \u2013 dash\r\n\n\fnext\tline \n"));
        var truth = "first line\nsecond line";
        var same = PageMetrics.Score([truth], ["first  line\n\nsecond line\n"], 1);
        Assert.Equal((0.0, 0.0, 2), (same.Cer, same.LineError, same.ReferenceLines));
        var swapped = PageMetrics.Score([truth], ["second line\nfirst line"], 1);
        Assert.True(swapped.Cer > 0.2, $"{swapped.Cer}");
        Assert.Equal(0.0, swapped.LineError);
        var oneWrong = PageMetrics.Score([truth, truth], ["first line\nsecond lime", ""], 2);
        Assert.Equal(Math.Round((1 + truth.Length) / (2.0 * truth.Length), 4), oneWrong.Cer);
        Assert.Equal(0.75, oneWrong.LineError);
        Assert.Equal(1, oneWrong.NoText);
    }

    [Fact]
    public void Pages_are_read_whole_and_scored_per_subset_beside_tesseract()
    {
        TorchRuntime.Configure(1, 1);
        string[][] texts = [["Water flows down the long path", "to the city in the south."], ["Invoice 2041 was paid in full,", "total amount $318.40 (net)."]];
        for (var k = 0; k < texts.Length; k++)
        {
            var subset = Path.Combine(_folder, k == 0 ? "left" : "right");
            Directory.CreateDirectory(subset);
            using var page = RenderedPage.Draw("Page " + (k + 1), [texts[k]], 1.0, width: 900);
            Cv2.ImWrite(Path.Combine(subset, "p.png"), page.Image);
            File.WriteAllText(Path.Combine(subset, "p.txt"), string.Join('\n', page.Lines.Select(l => l.Text)) + "\n");
        }
        using var model = CrnnModel.Load(OcrTestSupport.PathOf("models/ocr-printed"));
        var pages = PageSet.Read(_folder);
        Assert.Equal(["left", "right"], pages.Select(p => p.Subset));
        var tesseract = Tesseract.Version();
        var report = OcrSetEvaluator.EvaluatePages(model, "models/ocr-printed", _folder, pages, new CtcDecoding(model.Alphabet), PageLayoutOptions.Default, tesseract, _folder);
        Assert.Equal([OcrSetEvaluator.Total, "left", "right"], report.Subsets.Select(s => s.Subset));
        var crnn = report.Subsets[0].Methods["page/crnn-ctc/greedy"];
        Assert.Equal((2, 6), (crnn.Pages, crnn.ReferenceLines));
        Assert.True(crnn.Cer <= 0.03, $"CER {crnn.Cer}");
        if (tesseract is not null)
        {
            // Tesseract reads clean DejaVu pages almost perfectly; a page lost or read out of order would be far off.
            Assert.True(report.Subsets[0].Methods["tesseract"].Cer <= 0.1, $"tesseract CER {report.Subsets[0].Methods["tesseract"].Cer}");
        }
    }
}
