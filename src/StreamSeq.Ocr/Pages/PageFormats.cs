using System.Globalization;
using System.Security;
using System.Text;

namespace StreamSeq.Ocr.Pages;

/// <summary>
/// Page readings in the formats OCR users already consume: plain text, Tesseract's TSV (<c>tesseract … tsv</c>:
/// page, block, paragraph, line and word rows with boxes and word confidences 0..100) and hOCR (<c>ocr_page</c>,
/// <c>ocr_carea</c>, <c>ocr_par</c>, <c>ocr_line</c>, <c>ocrx_word</c> with <c>bbox</c> and <c>x_wconf</c>).
/// Each block is one paragraph.
/// </summary>
public static class PageFormats
{
    /// <summary>The header row of Tesseract's TSV.</summary>
    public const string TsvHeader = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext";

    /// <summary>The lines in reading order, one per row, a blank row between blocks (no final newline).</summary>
    public static string ToText(OcrPage page)
    {
        var text = new StringBuilder();
        for (var i = 0; i < page.Lines.Count; i++)
        {
            if (i > 0)
            {
                text.Append(page.Lines[i].Block != page.Lines[i - 1].Block ? "\n\n" : "\n");
            }
            text.Append(page.Lines[i].Text);
        }
        return text.ToString();
    }

    /// <summary>The TSV rows of one page (without the header), page number <paramref name="pageNumber"/> (from 1).</summary>
    public static IEnumerable<string> ToTsvRows(OcrPage page, int pageNumber)
    {
        string Row(int level, int block, int par, int line, int word, PageBox box, double conf, string text) =>
            string.Join('\t', level, pageNumber, block, par, line, word, box.X, box.Y, box.Width, box.Height,
                conf < 0 ? "-1" : (conf * 100).ToString("0.######", CultureInfo.InvariantCulture), text);
        yield return Row(1, 0, 0, 0, 0, new PageBox(0, 0, page.Width, page.Height), -1, "");
        foreach (var block in page.Lines.GroupBy(l => l.Block))
        {
            var blockBox = block.Select(l => l.Box).Aggregate((a, b) => a.Union(b));
            yield return Row(2, block.Key, 0, 0, 0, blockBox, -1, "");
            yield return Row(3, block.Key, 1, 0, 0, blockBox, -1, "");
            foreach (var line in block)
            {
                yield return Row(4, block.Key, 1, line.Line, 0, line.Box, -1, "");
                for (var w = 0; w < line.Words.Count; w++)
                {
                    var word = line.Words[w];
                    yield return Row(5, block.Key, 1, line.Line, w + 1, word.Box, word.Confidence, word.Text);
                }
            }
        }
    }

    /// <summary>A TSV document: the header and the rows of each page, numbered from 1.</summary>
    public static string ToTsv(IReadOnlyList<OcrPage> pages) =>
        string.Join('\n', new[] { TsvHeader }.Concat(pages.SelectMany((p, i) => ToTsvRows(p, i + 1)))) + "\n";

    /// <summary>An hOCR document holding the pages; <paramref name="images"/> names each page's image (or null).</summary>
    public static string ToHocr(IReadOnlyList<OcrPage> pages, IReadOnlyList<string?>? images = null)
    {
        var html = new StringBuilder();
        html.Append("""
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
 <head>
  <title></title>
  <meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>
  <meta name='ocr-system' content='streamseq'/>
  <meta name='ocr-capabilities' content='ocr_page ocr_carea ocr_par ocr_line ocrx_word'/>
 </head>
 <body>

""");
        static string Bbox(PageBox b) => string.Create(CultureInfo.InvariantCulture, $"bbox {b.X} {b.Y} {b.Right} {b.Bottom}");
        static string Conf(double c) => Math.Round(c * 100).ToString(CultureInfo.InvariantCulture);
        for (var p = 0; p < pages.Count; p++)
        {
            var page = pages[p];
            var n = p + 1;
            var image = images is not null && p < images.Count && images[p] is { } path ? $"image \"{Escape(path)}\"; " : "";
            html.Append(CultureInfo.InvariantCulture, $"  <div class='ocr_page' id='page_{n}' title='{image}{Bbox(new PageBox(0, 0, page.Width, page.Height))}; ppageno {p}'>\n");
            var wordNumber = 0;
            var lineNumber = 0;
            foreach (var block in page.Lines.GroupBy(l => l.Block))
            {
                var box = Bbox(block.Select(l => l.Box).Aggregate((a, b) => a.Union(b)));
                html.Append(CultureInfo.InvariantCulture, $"   <div class='ocr_carea' id='block_{n}_{block.Key}' title=\"{box}\">\n");
                html.Append(CultureInfo.InvariantCulture, $"    <p class='ocr_par' id='par_{n}_{block.Key}' lang='eng' title=\"{box}\">\n");
                foreach (var line in block)
                {
                    lineNumber++;
                    html.Append(CultureInfo.InvariantCulture, $"     <span class='ocr_line' id='line_{n}_{lineNumber}' title=\"{Bbox(line.Box)}; x_wconf {Conf(line.Confidence)}\">");
                    foreach (var word in line.Words)
                    {
                        wordNumber++;
                        html.Append(CultureInfo.InvariantCulture, $"\n      <span class='ocrx_word' id='word_{n}_{wordNumber}' title='{Bbox(word.Box)}; x_wconf {Conf(word.Confidence)}'>{Escape(word.Text)}</span>");
                    }
                    html.Append("\n     </span>\n");
                }
                html.Append("    </p>\n   </div>\n");
            }
            html.Append("  </div>\n");
        }
        html.Append(" </body>\n</html>\n");
        return html.ToString();
    }

    private static string Escape(string text) => SecurityElement.Escape(text) ?? "";
}
