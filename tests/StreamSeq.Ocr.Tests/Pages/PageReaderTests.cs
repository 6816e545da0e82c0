using System.Xml.Linq;
using OpenCvSharp;
using StreamSeq.Learning;
using StreamSeq.Ocr.Model;
using StreamSeq.Ocr.Pages;
using StreamSeq.Ocr.Tests.Support;

namespace StreamSeq.Ocr.Tests.Pages;

public sealed class PageReaderTests
{
    private const string Title = "Quarterly Report of the North Market Stage";

    // The two columns share a line pitch, so their lines line up row by row, and both have a blank row at the
    // same place: a white band then crosses the whole page there, the case a plain X-Y cut reads row by row.
    private static readonly string[] Left =
    [
        "The quick brown fox jumps over", "a lazy dog near the old bank.", "Invoice 2041 was paid in full,", "", "total amount $318.40 (net).", "Call 555-0199 for the price list",
    ];

    private static readonly string[] Right =
    [
        "Water flows down the long path", "to the city in the south; each", "frame of the video is a line.", "", "Write to Box 77, Queen Street", "or see the judge at noon.",
    ];

    private static IReadOnlyList<IReadOnlyList<string>> Columns => [Left, Right];

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    [InlineData(-2.5)]
    public void Lines_are_found_in_reading_order_with_their_boxes_on_a_tilted_two_column_page(double degrees)
    {
        using var page = RenderedPage.Draw(Title, Columns, degrees);
        using var layout = PageLayout.Analyse(page.Image);
        Assert.Null(layout.NoText);
        Assert.InRange(layout.SkewDegrees, degrees - 0.15, degrees + 0.15);
        Assert.Equal(page.Lines.Count, layout.Lines.Count);
        for (var i = 0; i < page.Lines.Count; i++)
        {
            var found = layout.ToSource(layout.Lines[i].Box);
            var iou = found.IntersectionOverUnion(page.Lines[i].Box);
            // Boxes of ink against boxes of the glyphs' outlines, turned: a tilted box's corners add a few pixels.
            Assert.True(iou >= 0.7, $"line {i} '{page.Lines[i].Text}': found {found}, drawn {page.Lines[i].Box}, IoU {iou:0.00}");
        }
        // Title, then the left column's lines, then the right's: blocks never go back to an earlier column.
        var blocks = layout.Lines.Select(l => l.Block).ToList();
        Assert.Equal(blocks.Order(), blocks);
        Assert.Equal(1, blocks[0]);
        Assert.True(blocks[1] > 1);
    }

    [Fact]
    public void A_tilted_two_column_page_is_read_in_reading_order()
    {
        TorchRuntime.Configure(1, 1);
        using var model = CrnnModel.Load(OcrTestSupport.PathOf("models/ocr-printed"));
        using var page = RenderedPage.Draw(Title, Columns, 1.5);
        var read = PageReader.Read(model, page.Image, new CtcDecoding(model.Alphabet));
        Assert.Equal(page.Lines.Count, read.Lines.Count);
        var truth = string.Join('\n', page.Lines.Select(l => l.Text));
        var got = string.Join('\n', read.Lines.Select(l => l.Text));
        var cer = OcrMetrics.EditDistance(truth, got) / (double)truth.Length;
        // The printed model reads DejaVu lines at well under 1 % CER; 3 % leaves room for the two oneDNN paths
        // while a wrong order or a lost line (each over 10 %) still fails.
        Assert.True(cer <= 0.03, $"CER {cer:P1}:\n{got}");
        Assert.All(read.Lines, l => Assert.InRange(l.Confidence, 0.0, 1.0));
        // Words: the line's text split at spaces, each box inside its line's box.
        foreach (var line in read.Lines)
        {
            Assert.Equal(line.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries), line.Words.Select(w => w.Text));
            Assert.All(line.Words, w => Assert.True(w.Box.X >= line.Box.X - 2 && w.Box.Right <= line.Box.Right + 2 && w.Box.Y >= line.Box.Y - 2 && w.Box.Bottom <= line.Box.Bottom + 2, $"{w} outside {line.Box}"));
            Assert.Equal(line.Words.Select(w => w.Box.X).Order(), line.Words.Select(w => w.Box.X));
        }
    }

    [Fact]
    public void Light_text_on_a_dark_screen_is_read_like_dark_text_on_paper()
    {
        TorchRuntime.Configure(1, 1);
        using var model = CrnnModel.Load(OcrTestSupport.PathOf("models/ocr-printed"));
        using var page = RenderedPage.Draw(null, [Left[..3]], 0, lightOnDark: true, width: 700);
        var read = PageReader.Read(model, page.Image, new CtcDecoding(model.Alphabet));
        var truth = string.Join('\n', page.Lines.Select(l => l.Text));
        var got = string.Join('\n', read.Lines.Select(l => l.Text));
        Assert.True(OcrMetrics.EditDistance(truth, got) <= 2, got);
    }

    [Fact]
    public void A_blank_page_has_no_lines_and_says_why()
    {
        TorchRuntime.Configure(1, 1);
        using var model = CrnnModel.Load(OcrTestSupport.PathOf("models/ocr-printed"));
        using var blank = new Mat(600, 400, MatType.CV_8UC1, new Scalar(240));
        var read = PageReader.Read(model, blank, new CtcDecoding(model.Alphabet));
        Assert.Empty(read.Lines);
        Assert.StartsWith("blank page", read.NoText);
        Assert.Equal("", read.Text);
    }

    [Fact]
    public void Unchanged_lines_of_the_next_frame_keep_their_reading_and_changed_ones_are_read()
    {
        TorchRuntime.Configure(1, 1);
        using var model = CrnnModel.Load(OcrTestSupport.PathOf("models/ocr-printed"));
        var decoding = new CtcDecoding(model.Alphabet);
        var memory = new PageMemory();
        using var first = RenderedPage.Draw(Title, [Left[..3]], 0, width: 800);
        using var second = RenderedPage.Draw(Title, [[Left[0], Left[1], "A different third line here"]], 0, width: 800);
        var a = PageReader.Read(model, first.Image, decoding, memory: memory);
        Assert.Equal(0, memory.LastReused);
        var again = PageReader.Read(model, first.Image, decoding, memory: memory);
        Assert.Equal(a.Lines.Count, memory.LastReused);
        Assert.Equal(a.Text, again.Text);
        var b = PageReader.Read(model, second.Image, decoding, memory: memory);
        Assert.Equal(b.Lines.Count - 1, memory.LastReused);
        Assert.Contains("different", b.Lines[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Tsv_and_hocr_carry_every_line_and_word_with_boxes()
    {
        var page = new OcrPage(800, 600, 0.5, 12,
        [
            new PageLine(1, 1, new PageBox(10, 20, 300, 30), "Total due", 0.9, [new PageWord("Total", new PageBox(10, 20, 120, 30), 0.95), new PageWord("due", new PageBox(140, 22, 80, 28), 0.85)]),
            new PageLine(2, 1, new PageBox(400, 20, 200, 30), "<&>", 0.5, [new PageWord("<&>", new PageBox(400, 20, 60, 30), 0.5)]),
        ], "crnn-ctc/greedy");
        var tsv = PageFormats.ToTsv([page]).TrimEnd('\n').Split('\n');
        Assert.Equal(PageFormats.TsvHeader, tsv[0]);
        var rows = tsv.Skip(1).Select(r => r.Split('\t')).ToList();
        Assert.All(rows, r => Assert.Equal(12, r.Length));
        Assert.Equal(["1", "1", "0", "0", "0", "0", "0", "0", "800", "600", "-1", ""], rows[0]);
        var words = rows.Where(r => r[0] == "5").ToList();
        Assert.Equal(["Total", "due", "<&>"], words.Select(r => r[11]));
        Assert.Equal(["5", "1", "1", "1", "1", "2", "140", "22", "80", "28", "85", "due"], words[1]);
        Assert.Equal(2, rows.Count(r => r[0] == "4"));
        Assert.Equal("Total due\n\n<&>", page.Text);

        var hocr = XDocument.Parse(PageFormats.ToHocr([page], ["scan.png"]));
        XNamespace x = "http://www.w3.org/1999/xhtml";
        var spans = hocr.Descendants(x + "span").ToList();
        Assert.Equal(2, spans.Count(s => (string?)s.Attribute("class") == "ocr_line"));
        var hocrWords = spans.Where(s => (string?)s.Attribute("class") == "ocrx_word").ToList();
        Assert.Equal(["Total", "due", "<&>"], hocrWords.Select(w => w.Value));
        Assert.Equal("bbox 140 22 220 50; x_wconf 85", (string?)hocrWords[1].Attribute("title"));
        Assert.StartsWith("image \"scan.png\"; bbox 0 0 800 600", (string?)hocr.Descendants(x + "div").First().Attribute("title"));
    }
}
