using OpenCvSharp;
using OpenCvSharp.XImgProc;

namespace StreamSeq.Ocr.Pages;

/// <summary>Settings of the classical layout analysis (<see cref="PageLayout"/>). Gaps are in text heights
/// (<see cref="PageLayout.TextHeight"/>, the median height of a character's ink), so they hold at any resolution.</summary>
public sealed record PageLayoutOptions
{
    /// <summary>The defaults.</summary>
    public static PageLayoutOptions Default { get; } = new();

    /// <summary>Largest tilt searched for and undone, degrees (0: the page is read as it is).</summary>
    public double MaxSkewDegrees { get; init; } = 5;

    /// <summary>A vertical band of white at least this wide (text heights) that crosses a region from top to
    /// bottom separates columns.</summary>
    public double ColumnGap { get; init; } = 2.5;

    /// <summary>A horizontal band of white at least this tall (text heights) across a region separates blocks.</summary>
    public double BlockGap { get; init; } = 1.5;

    /// <summary>Largest image accepted, in pixels (width × height).</summary>
    public long MaxPixels { get; init; } = 60_000_000;

    /// <summary>Smallest spread between ink and paper (0..255 levels) for the page to count as holding text.</summary>
    public double MinContrast { get; init; } = 40;
}

/// <summary>A text line found on a page, before it is read.</summary>
/// <param name="Block">Its block, numbered from 1 in reading order.</param>
/// <param name="Line">Its number within the block, from 1.</param>
/// <param name="Box">Its ink's box in the deskewed page (<see cref="PageLayout.Deskewed"/>).</param>
/// <param name="Components">The connected components (labels in the deskewed page) that make it up.</param>
public sealed record LayoutLine(int Block, int Line, PageBox Box, IReadOnlyList<int> Components);

/// <summary>
/// Classical layout analysis of a page image: the page is binarised (Sauvola, with a window sized to the text),
/// its tilt measured from the baselines of its connected components (the angle whose projection profile of
/// component bottoms is sharpest) and undone; the components are then cut recursively into columns and blocks
/// (X–Y cut on white bands, with bands that share a column gutter kept together, so two columns whose lines
/// happen to line up are still read column by column), and each block into lines by its row projection profile
/// (runs of inked rows; a run much taller than the block's lines is split at its emptiest row, thin runs such
/// as the dots over a line of i's are joined to their line). Owns the deskewed page and its labels.
/// </summary>
public sealed class PageLayout : IDisposable
{
    private readonly int[] _labels;
    private readonly Rect[] _boxes;
    private readonly double[,] _toSource;
    private readonly byte _paper;

    private PageLayout(Mat deskewed, int[] labels, Rect[] boxes, double[,] toSource, byte paper, int sourceWidth, int sourceHeight, double skew, double textHeight, IReadOnlyList<LayoutLine> lines, string? noText)
    {
        Deskewed = deskewed;
        _labels = labels;
        _boxes = boxes;
        _toSource = toSource;
        _paper = paper;
        SourceWidth = sourceWidth;
        SourceHeight = sourceHeight;
        SkewDegrees = skew;
        TextHeight = textHeight;
        Lines = lines;
        NoText = noText;
    }

    /// <summary>The page in gray, dark ink on light paper, turned so its lines are level. Owned by the layout.</summary>
    public Mat Deskewed { get; }

    /// <summary>Width of the image analysed.</summary>
    public int SourceWidth { get; }

    /// <summary>Height of the image analysed.</summary>
    public int SourceHeight { get; }

    /// <summary>The measured tilt of the text, degrees, counter-clockwise positive.</summary>
    public double SkewDegrees { get; }

    /// <summary>Median height of the connected components' ink, pixels (0 with no text).</summary>
    public double TextHeight { get; }

    /// <summary>The lines in reading order.</summary>
    public IReadOnlyList<LayoutLine> Lines { get; }

    /// <summary>Why no line was found (a blank or too large image), or null.</summary>
    public string? NoText { get; }

    /// <summary>Finds the text lines of an 8-bit gray or BGR page. Light text on a dark background is turned over first.</summary>
    public static PageLayout Analyse(Mat image, PageLayoutOptions? options = null)
    {
        options ??= PageLayoutOptions.Default;
        var identity = new double[,] { { 1, 0, 0 }, { 0, 1, 0 } };
        if (image.Empty() || (long)image.Width * image.Height > options.MaxPixels)
        {
            var reason = image.Empty() ? "empty image" : $"image of {image.Width}x{image.Height} is larger than the limit of {options.MaxPixels:N0} pixels";
            return new PageLayout(new Mat(), [], [], identity, 255, image.Width, image.Height, 0, 0, [], reason);
        }
        var gray = Media.FrameConversions.ToGray(image);
        try
        {
            gray.GetArray(out byte[] levels);
            var paper = Data.LineImage.Median(levels);
            if (paper < 128)
            {
                Cv2.BitwiseNot(gray, gray);
                paper = (byte)(255 - paper);
                gray.GetArray(out levels);
            }
            // The level of the darkest 0.2 % of pixels against the paper: a page of a few words still counts.
            var dark = Percentile(levels, 0.002);
            if (paper - dark < options.MinContrast)
            {
                return new PageLayout(gray, [], [], identity, paper, image.Width, image.Height, 0, 0, [], $"blank page: no ink (the ink differs from the paper by {paper - dark} of 255 levels, below {options.MinContrast:0})");
            }
            var textHeight = EstimateTextHeight(gray);
            var window = Math.Clamp((int)Math.Round(textHeight * 3) | 1, 15, 301);
            var (labels, boxes) = Components(gray, window, textHeight);
            var text = TextComponents(boxes, textHeight);
            var toSource = identity;
            var skew = 0.0;
            if (options.MaxSkewDegrees > 0 && text.Count >= 8)
            {
                skew = MeasureSkew(boxes, text, textHeight, options.MaxSkewDegrees);
                if (Math.Abs(skew) >= 0.05)
                {
                    var (turned, back) = Rotate(gray, skew, paper);
                    gray.Dispose();
                    gray = turned;
                    toSource = back;
                    (labels, boxes) = Components(gray, window, textHeight);
                    text = TextComponents(boxes, textHeight);
                }
            }
            var lines = FindLines(labels, gray.Width, boxes, text, textHeight, options);
            var result = new PageLayout(gray, labels, boxes, toSource, paper, image.Width, image.Height, Math.Round(-skew, 2), Math.Round(textHeight, 1), lines, lines.Count == 0 ? "no text lines found" : null);
            gray = null!;
            return result;
        }
        finally
        {
            gray?.Dispose();
        }
    }

    /// <summary>
    /// The line's pixels from the deskewed page, cropped to its box with a margin, every pixel that belongs to no
    /// component of the line (and is not next to one) set to the paper level around it, so ascenders and
    /// descenders of the neighbouring lines do not reach into what the recogniser sees. The caller owns the Mat.
    /// </summary>
    /// <returns>The crop and the deskewed page's column and row of its top-left pixel.</returns>
    public (Mat Crop, int Left, int Top) CropLine(LayoutLine line)
    {
        var pad = Math.Max(2, (int)Math.Round(TextHeight * 0.25));
        var x0 = Math.Max(0, line.Box.X - pad);
        var y0 = Math.Max(0, line.Box.Y - pad);
        var x1 = Math.Min(Deskewed.Width, line.Box.Right + pad);
        var y1 = Math.Min(Deskewed.Height, line.Box.Bottom + pad);
        int w = x1 - x0, h = y1 - y0, stride = Deskewed.Width;
        var own = new HashSet<int>(line.Components);
        var mask = new byte[w * h];
        for (var r = 0; r < h; r++)
        {
            var row = (y0 + r) * stride;
            for (var c = 0; c < w; c++)
            {
                mask[(r * w) + c] = own.Contains(_labels[row + x0 + c]) ? (byte)255 : (byte)0;
            }
        }
        using var roi = new Mat(Deskewed, new Rect(x0, y0, w, h));
        var crop = roi.Clone();
        using var maskMat = Mat.FromPixelData(h, w, MatType.CV_8UC1, mask);
        // Anti-aliased edges lie just outside the binarised ink.
        var grow = Math.Max(1, (int)Math.Round(TextHeight / 10));
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Rect, new Size((2 * grow) + 1, (2 * grow) + 1));
        using var keep = new Mat();
        Cv2.Dilate(maskMat, keep, kernel);
        using var outside = new Mat();
        Cv2.BitwiseNot(keep, outside);
        crop.SetTo(new Scalar(PaperAround(crop, keep)), outside);
        return (crop, x0, y0);
    }

    /// <summary>A box in the deskewed page mapped back to the analysed image (the box around its turned corners, clipped).</summary>
    public PageBox ToSource(PageBox box)
    {
        if (box.Width <= 0 || box.Height <= 0)
        {
            return box;
        }
        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        foreach (var (x, y) in new (double, double)[] { (box.X, box.Y), (box.Right, box.Y), (box.X, box.Bottom), (box.Right, box.Bottom) })
        {
            var sx = (_toSource[0, 0] * x) + (_toSource[0, 1] * y) + _toSource[0, 2];
            var sy = (_toSource[1, 0] * x) + (_toSource[1, 1] * y) + _toSource[1, 2];
            minX = Math.Min(minX, sx);
            minY = Math.Min(minY, sy);
            maxX = Math.Max(maxX, sx);
            maxY = Math.Max(maxY, sy);
        }
        var left = Math.Clamp((int)Math.Round(minX), 0, SourceWidth);
        var top = Math.Clamp((int)Math.Round(minY), 0, SourceHeight);
        var right = Math.Clamp((int)Math.Round(maxX), left, SourceWidth);
        var bottom = Math.Clamp((int)Math.Round(maxY), top, SourceHeight);
        return new PageBox(left, top, right - left, bottom - top);
    }

    /// <summary>The box of a component (a label of the deskewed page).</summary>
    public PageBox ComponentBox(int label) => ToBox(_boxes[label]);

    private static PageBox ToBox(Rect r) => new(r.X, r.Y, r.Width, r.Height);

    /// <summary>Median level of the crop's pixels outside <paramref name="keep"/> (the paper near the line).</summary>
    private byte PaperAround(Mat crop, Mat keep)
    {
        crop.GetArray(out byte[] pixels);
        keep.GetArray(out byte[] kept);
        Span<int> histogram = stackalloc int[256];
        var count = 0;
        for (var i = 0; i < pixels.Length; i++)
        {
            if (kept[i] == 0)
            {
                histogram[pixels[i]]++;
                count++;
            }
        }
        if (count == 0)
        {
            return _paper;
        }
        var rank = count / 2;
        for (var level = 0; level < 256; level++)
        {
            rank -= histogram[level];
            if (rank < 0)
            {
                return (byte)level;
            }
        }
        return _paper;
    }

    private static byte Percentile(byte[] levels, double fraction)
    {
        Span<int> histogram = stackalloc int[256];
        foreach (var level in levels)
        {
            histogram[level]++;
        }
        var rank = (long)(levels.Length * fraction);
        for (var level = 0; level < 256; level++)
        {
            rank -= histogram[level];
            if (rank < 0)
            {
                return (byte)level;
            }
        }
        return 255;
    }

    /// <summary>Median height of the components of an Otsu binarisation (to size the local window), at least 4.</summary>
    private static double EstimateTextHeight(Mat gray)
    {
        using var binary = new Mat();
        Cv2.Threshold(gray, binary, 0, 255, ThresholdTypes.BinaryInv | ThresholdTypes.Otsu);
        using var labels = new Mat();
        using var stats = new Mat();
        using var centroids = new Mat();
        var count = Cv2.ConnectedComponentsWithStats(binary, labels, stats, centroids, PixelConnectivity.Connectivity8, MatType.CV_32S);
        var heights = new List<int>();
        for (var i = 1; i < count; i++)
        {
            var h = stats.At<int>(i, (int)ConnectedComponentsTypes.Height);
            if (h >= 4 && stats.At<int>(i, (int)ConnectedComponentsTypes.Area) >= 6)
            {
                heights.Add(h);
            }
        }
        return heights.Count == 0 ? 12 : Math.Max(4, Median(heights));
    }

    /// <summary>Sauvola binarisation (ink = 255) and its 8-connected components: the label of every pixel and each label's box.</summary>
    private static (int[] Labels, Rect[] Boxes) Components(Mat gray, int window, double textHeight)
    {
        using var binary = new Mat();
        CvXImgProc.NiblackThreshold(gray, binary, 255, ThresholdTypes.BinaryInv, window, 0.2, LocalBinarizationMethods.Sauvola, 128);
        using var labels = new Mat();
        using var stats = new Mat();
        using var centroids = new Mat();
        var count = Cv2.ConnectedComponentsWithStats(binary, labels, stats, centroids, PixelConnectivity.Connectivity8, MatType.CV_32S);
        labels.GetArray(out int[] labelArray);
        var boxes = new Rect[count];
        for (var i = 0; i < count; i++)
        {
            boxes[i] = new Rect(stats.At<int>(i, 0), stats.At<int>(i, 1), stats.At<int>(i, 2), stats.At<int>(i, 3));
            // Specks too small to be a full stop at this text size are dropped by giving them no box.
            if (i == 0 || stats.At<int>(i, (int)ConnectedComponentsTypes.Area) < Math.Max(3, textHeight * textHeight / 150))
            {
                boxes[i] = default;
            }
        }
        return (labelArray, boxes);
    }

    /// <summary>Components that may be text: not specks, not pictures or rules.</summary>
    private static List<int> TextComponents(Rect[] boxes, double textHeight)
    {
        var text = new List<int>();
        for (var i = 1; i < boxes.Length; i++)
        {
            var b = boxes[i];
            if (b.Width == 0)
            {
                continue;
            }
            var picture = b.Height > textHeight * 6;
            var rule = b.Width > textHeight * 15 && b.Height < textHeight * 0.5;
            if (!picture && !rule)
            {
                text.Add(i);
            }
        }
        return text;
    }

    /// <summary>
    /// The angle (degrees, image coordinates: a line that goes down to the right is positive) whose projection of the
    /// letters' bottom centres, weighted by their widths, is sharpest: baselines then fall into few rows. Searched on
    /// a coarse grid, then finely around the best; ties go to the smaller tilt.
    /// </summary>
    internal static double MeasureSkew(Rect[] boxes, IReadOnlyList<int> text, double textHeight, double maxDegrees)
    {
        var points = text.Select(i => boxes[i]).Where(b => b.Height >= textHeight * 0.5 && b.Height <= textHeight * 2.5)
            .Select(b => (X: b.X + (b.Width / 2.0), Y: (double)b.Bottom, W: (double)b.Width)).ToList();
        if (points.Count < 8)
        {
            return 0;
        }
        var bin = Math.Max(1.0, textHeight / 6);
        double Score(double degrees)
        {
            var t = degrees * Math.PI / 180;
            var (sin, cos) = Math.SinCos(t);
            var histogram = new Dictionary<int, double>();
            foreach (var (x, y, w) in points)
            {
                var key = (int)Math.Floor(((y * cos) - (x * sin)) / bin);
                histogram[key] = histogram.GetValueOrDefault(key) + w;
            }
            return histogram.Values.Sum(v => v * v);
        }
        double Best(double from, double to, double step, double best)
        {
            var bestScore = Score(best);
            for (var a = from; a <= to + 1e-9; a += step)
            {
                var s = Score(a);
                if (s > bestScore * (1 + 1e-9) || (s >= bestScore * (1 - 1e-9) && Math.Abs(a) < Math.Abs(best)))
                {
                    (best, bestScore) = (a, s);
                }
            }
            return best;
        }
        var coarse = Best(-maxDegrees, maxDegrees, 0.2, 0);
        var fine = Best(coarse - 0.2, coarse + 0.2, 0.02, coarse);
        return Math.Clamp(fine, -maxDegrees, maxDegrees);
    }

    /// <summary>The page turned by <paramref name="degrees"/> on a canvas large enough to keep its corners, and the map back.</summary>
    private static (Mat Turned, double[,] ToSource) Rotate(Mat gray, double degrees, byte paper)
    {
        var center = new Point2f(gray.Width / 2f, gray.Height / 2f);
        using var matrix = Cv2.GetRotationMatrix2D(center, degrees, 1.0);
        var t = degrees * Math.PI / 180;
        var (sin, cos) = (Math.Abs(Math.Sin(t)), Math.Abs(Math.Cos(t)));
        var width = (int)Math.Ceiling((gray.Width * cos) + (gray.Height * sin));
        var height = (int)Math.Ceiling((gray.Width * sin) + (gray.Height * cos));
        matrix.Set(0, 2, matrix.At<double>(0, 2) + ((width - gray.Width) / 2.0));
        matrix.Set(1, 2, matrix.At<double>(1, 2) + ((height - gray.Height) / 2.0));
        var turned = new Mat();
        Cv2.WarpAffine(gray, turned, matrix, new Size(width, height), InterpolationFlags.Linear, BorderTypes.Constant, new Scalar(paper));
        using var inverse = new Mat();
        Cv2.InvertAffineTransform(matrix, inverse);
        var back = new double[2, 3];
        for (var r = 0; r < 2; r++)
        {
            for (var c = 0; c < 3; c++)
            {
                back[r, c] = inverse.At<double>(r, c);
            }
        }
        return (turned, back);
    }

    private static List<LayoutLine> FindLines(int[] labels, int stride, Rect[] boxes, List<int> text, double textHeight, PageLayoutOptions options)
    {
        var blocks = new List<List<int>>();
        Cut(text, boxes, textHeight * options.ColumnGap, textHeight * options.BlockGap, blocks);
        var lines = new List<LayoutLine>();
        var blockNumber = 0;
        foreach (var block in blocks)
        {
            var found = BlockLines(labels, stride, boxes, block, textHeight);
            if (found.Count == 0)
            {
                continue;
            }
            blockNumber++;
            for (var k = 0; k < found.Count; k++)
            {
                var box = found[k].Select(i => ToBox(boxes[i])).Aggregate((a, b) => a.Union(b));
                lines.Add(new LayoutLine(blockNumber, k + 1, box, found[k]));
            }
        }
        return lines;
    }

    /// <summary>Recursive X–Y cut: columns first (a white band crossing the whole region), else blocks (a white
    /// band across it), with neighbouring blocks that share a column gutter put back together.</summary>
    internal static void Cut(List<int> items, Rect[] boxes, double columnGap, double blockGap, List<List<int>> blocks)
    {
        if (items.Count == 0)
        {
            return;
        }
        var columns = Split(items, boxes, horizontal: true, columnGap);
        if (columns.Count > 1)
        {
            foreach (var column in columns)
            {
                Cut(column, boxes, columnGap, blockGap, blocks);
            }
            return;
        }
        var bands = Split(items, boxes, horizontal: false, blockGap);
        if (bands.Count > 1)
        {
            // Two columns whose paragraph breaks happen to line up give bands that each split at the same gutter:
            // joined again, the region is cut into columns and read column by column.
            var joined = new List<List<int>> { bands[0] };
            for (var k = 1; k < bands.Count; k++)
            {
                var union = joined[^1].Concat(bands[k]).ToList();
                if (Split(union, boxes, horizontal: true, columnGap).Count > 1)
                {
                    joined[^1] = union;
                }
                else
                {
                    joined.Add(bands[k]);
                }
            }
            foreach (var band in joined)
            {
                Cut(band, boxes, columnGap, blockGap, blocks);
            }
            return;
        }
        blocks.Add(items);
    }

    /// <summary>The items grouped by the white gaps of at least <paramref name="minGap"/> between their boxes'
    /// extents along x (<paramref name="horizontal"/>) or y, in increasing order.</summary>
    private static List<List<int>> Split(List<int> items, Rect[] boxes, bool horizontal, double minGap)
    {
        var sorted = items.OrderBy(i => horizontal ? boxes[i].X : boxes[i].Y).ToList();
        var groups = new List<List<int>>();
        var current = new List<int>();
        var reach = int.MinValue;
        foreach (var i in sorted)
        {
            var (start, end) = horizontal ? (boxes[i].X, boxes[i].Right) : (boxes[i].Y, boxes[i].Bottom);
            if (current.Count > 0 && start - reach >= minGap)
            {
                groups.Add(current);
                current = [];
            }
            current.Add(i);
            reach = Math.Max(reach, end);
        }
        if (current.Count > 0)
        {
            groups.Add(current);
        }
        return groups;
    }

    /// <summary>The block's lines, top to bottom, each as its components left to right.</summary>
    private static List<List<int>> BlockLines(int[] labels, int stride, Rect[] boxes, List<int> block, double textHeight)
    {
        var top = block.Min(i => boxes[i].Y);
        var bottom = block.Max(i => boxes[i].Bottom);
        var profile = new int[bottom - top];
        var members = new HashSet<int>(block);
        foreach (var i in block)
        {
            var b = boxes[i];
            for (var r = b.Y; r < b.Bottom; r++)
            {
                var row = r * stride;
                for (var c = b.X; c < b.Right; c++)
                {
                    if (labels[row + c] == i)
                    {
                        profile[r - top]++;
                    }
                }
            }
        }
        // Runs of inked rows.
        var runs = new List<(int Start, int End)>();
        for (var r = 0; r < profile.Length;)
        {
            if (profile[r] == 0)
            {
                r++;
                continue;
            }
            var start = r;
            while (r < profile.Length && profile[r] > 0)
            {
                r++;
            }
            runs.Add((start, r));
        }
        var typical = runs.Where(x => x.End - x.Start >= textHeight * 0.5).Select(x => x.End - x.Start).ToList();
        var lineHeight = typical.Count == 0 ? textHeight * 2 : Median(typical);
        if (lineHeight > textHeight * 3.2)
        {
            // Every line touches the next: fall back to the usual height of a line of text.
            lineHeight = textHeight * 2.2;
        }
        runs = SplitTall(runs, profile, lineHeight);
        runs = JoinThin(runs, lineHeight);
        var lines = runs.Select(_ => new List<int>()).ToList();
        foreach (var i in block)
        {
            var centre = boxes[i].Y + (boxes[i].Height / 2.0) - top;
            var best = 0;
            var bestDistance = double.MaxValue;
            for (var k = 0; k < runs.Count; k++)
            {
                var distance = centre < runs[k].Start ? runs[k].Start - centre : centre >= runs[k].End ? centre - runs[k].End + 1 : 0;
                if (distance < bestDistance)
                {
                    (best, bestDistance) = (k, distance);
                }
            }
            lines[best].Add(i);
        }
        return [.. lines.Where(l => l.Count > 0).Select(l => l.OrderBy(i => boxes[i].X).ToList())];
    }

    /// <summary>Runs taller than 1.6 lines split at their emptiest row away from their ends, until none is.</summary>
    private static List<(int Start, int End)> SplitTall(List<(int Start, int End)> runs, int[] profile, double lineHeight)
    {
        var result = new List<(int, int)>();
        var pending = new Stack<(int Start, int End)>(runs.AsEnumerable().Reverse());
        while (pending.Count > 0)
        {
            var (start, end) = pending.Pop();
            if (end - start <= lineHeight * 1.6)
            {
                result.Add((start, end));
                continue;
            }
            var from = start + (int)(lineHeight * 0.6);
            var to = end - (int)(lineHeight * 0.6);
            var cut = from;
            for (var r = from; r < to; r++)
            {
                if (profile[r] < profile[cut])
                {
                    cut = r;
                }
            }
            if (cut <= start || cut >= end)
            {
                result.Add((start, end));
                continue;
            }
            pending.Push((cut, end));
            pending.Push((start, cut));
        }
        return result;
    }

    /// <summary>Runs thinner than 0.4 lines (dots, accents, an underline) joined to the nearer neighbour when it is close.</summary>
    private static List<(int Start, int End)> JoinThin(List<(int Start, int End)> runs, double lineHeight)
    {
        var result = runs.ToList();
        for (var k = 0; k < result.Count && result.Count > 1;)
        {
            var (start, end) = result[k];
            if (end - start >= lineHeight * 0.4)
            {
                k++;
                continue;
            }
            var above = k > 0 ? start - result[k - 1].End : int.MaxValue;
            var below = k + 1 < result.Count ? result[k + 1].Start - end : int.MaxValue;
            var limit = lineHeight * 0.35;
            if (Math.Min(above, below) > limit)
            {
                k++;
                continue;
            }
            if (above <= below)
            {
                result[k - 1] = (result[k - 1].Start, end);
                result.RemoveAt(k);
            }
            else
            {
                result[k + 1] = (start, result[k + 1].End);
                result.RemoveAt(k);
            }
        }
        return result;
    }

    private static double Median(List<int> values)
    {
        values.Sort();
        var n = values.Count;
        return n % 2 == 1 ? values[n / 2] : (values[(n / 2) - 1] + values[n / 2]) / 2.0;
    }

    /// <inheritdoc />
    public void Dispose() => Deskewed.Dispose();
}
