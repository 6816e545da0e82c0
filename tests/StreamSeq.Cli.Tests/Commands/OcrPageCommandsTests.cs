using System.Text.Json.Nodes;
using OpenCvSharp;
using StreamSeq.Cli.Tests.Support;

namespace StreamSeq.Cli.Tests.Commands;

/// <summary><c>ocr --page</c> and <c>eval ocr --data DIR</c> end to end (layout and scoring are covered in tests/StreamSeq.Ocr.Tests).</summary>
public sealed class OcrPageCommandsTests : IDisposable
{
    private readonly TempDirectory _dir = new("ocr-page");

    public void Dispose() => _dir.Dispose();

    /// <summary>A page holding the committed printed sample ("Time Read He") twice, one under the other.</summary>
    private string Page()
    {
        using var line = Cv2.ImRead(Repository.PathOf("samples/ocr/printed.png"), ImreadModes.Grayscale);
        using var page = new Mat((line.Rows * 3) + 80, line.Cols + 80, MatType.CV_8UC1, new Scalar(255));
        using (var top = new Mat(page, new Rect(40, 40, line.Cols, line.Rows)))
        {
            line.CopyTo(top);
        }
        using (var bottom = new Mat(page, new Rect(40, 40 + (line.Rows * 2), line.Cols, line.Rows)))
        {
            line.CopyTo(bottom);
        }
        var path = _dir["page.png"];
        Cv2.ImWrite(path, page);
        return path;
    }

    [Fact]
    public async Task Ocr_page_prints_text_and_tesseract_tsv()
    {
        var page = Page();
        var text = await StreamseqCli.RunAsync(Repository.Root, "ocr", "--page", page);
        Assert.True(text.ExitCode == 0, text.Describe());
        Assert.Equal(["Time Read He", "Time Read He"], text.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var tsv = await StreamseqCli.RunAsync(Repository.Root, "ocr", "--page", "--format", "tsv", page);
        Assert.True(tsv.ExitCode == 0, tsv.Describe());
        var rows = tsv.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split('\t')).ToList();
        Assert.Equal("level", rows[0][0]);
        Assert.Equal(2, rows.Count(r => r[0] == "4"));
        Assert.Equal(["Time", "Read", "He", "Time", "Read", "He"], rows.Where(r => r[0] == "5").Select(r => r[11]));

        var bad = await StreamseqCli.RunAsync(Repository.Root, "ocr", "--page", "--format", "pdf", page);
        Assert.Equal(2, bad.ExitCode);
    }

    [Fact]
    public async Task Eval_ocr_scores_a_manifest_per_subset()
    {
        var rows = File.ReadAllLines(Repository.PathOf("samples/ocr/labels.tsv")).Where(l => l.Length > 0).Select(l => l.Split('\t')).ToList();
        File.WriteAllLines(_dir["manifest.tsv"], rows.Select((r, i) => $"{Repository.PathOf(Path.Combine("samples/ocr", r[0]))}\t{r[1]}\t{(i == 0 ? "first" : "rest")}"));
        var result = await StreamseqCli.RunAsync(Repository.Root, "eval", "ocr", "--data", _dir.Path, "--no-tesseract");
        Assert.True(result.ExitCode == 0, result.Describe());
        var report = JsonNode.Parse(result.StdOut)!;
        var subsets = report["subsets"]!.AsArray();
        Assert.Equal(["total", "first", "rest"], subsets.Select(s => (string)s!["subset"]!));
        Assert.Equal(rows.Count, (int)subsets[0]!["items"]!);
        Assert.Equal(0.0, (double)subsets[0]!["methods"]!["crnn-ctc/greedy"]!["cer"]!);
    }
}
