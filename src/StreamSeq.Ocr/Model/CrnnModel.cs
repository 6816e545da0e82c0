using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using StreamSeq.Learning;
using StreamSeq.Ocr.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace StreamSeq.Ocr.Model;

/// <summary>
/// The CRNN + CTC line recogniser: a <see cref="CrnnNet"/>, its alphabet and its input preparation. Reads
/// line images into <see cref="Reading"/>s through a <see cref="CtcDecoding"/>. Owns its network's tensors.
/// </summary>
public sealed class CrnnModel : IDisposable
{
    /// <summary>The model kind in <c>model.json</c>.</summary>
    public const string Kind = "ocr.crnn";

    /// <summary>Horizontal stretch applied to prepared lines so narrow characters get at least two frames.</summary>
    public const double DefaultStretch = 1.5;

    private readonly int _tensorCount;
    private bool _disposed;

    private CrnnModel(OcrAlphabet alphabet, int width, int hidden, double stretch, double sideMargin, Checkpoint? checkpoint)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sideMargin);
        TorchRuntime.EnsureLoaded();
        Alphabet = alphabet;
        Width = width;
        Hidden = hidden;
        Stretch = stretch;
        SideMargin = sideMargin;
        Checkpoint = checkpoint;
        Net = new CrnnNet(alphabet.ClassCount, width, hidden);
        _tensorCount = Net.parameters().Count() + Net.buffers().Count();
        TensorLedger.Add(_tensorCount);
    }

    public OcrAlphabet Alphabet { get; }

    /// <summary>Channels of the first conv layer.</summary>
    public int Width { get; }

    /// <summary>GRU units per direction.</summary>
    public int Hidden { get; }

    /// <summary>Horizontal stretch of prepared lines.</summary>
    public double Stretch { get; }

    /// <summary>Margin kept left and right of the ink, as a fraction of the ink's height (<see cref="LineImage.Prepare"/>).</summary>
    public double SideMargin { get; }

    public CrnnNet Net { get; }

    /// <summary>What the model was loaded from, if it was.</summary>
    public Checkpoint? Checkpoint { get; }

    /// <summary>Limits on input images.</summary>
    public LineImageLimits Limits { get; init; } = LineImageLimits.Default;

    /// <summary>Number of trainable values.</summary>
    public long ParameterCount => Net.parameters().Sum(p => p.numel());

    /// <summary>A freshly initialised model (weights from torch's seeded generator).</summary>
    public static CrnnModel Create(OcrAlphabet alphabet, int width = 16, int hidden = 64, double stretch = DefaultStretch, double sideMargin = LineImage.DefaultMargin) =>
        new(alphabet, width, hidden, stretch, sideMargin, null);

    /// <summary>Loads a model folder written by <see cref="Save"/>.</summary>
    /// <param name="folder">The model folder.</param>
    /// <param name="sideMargin">Prepare lines with this side margin instead of the saved one (to go on training with it).</param>
    /// <exception cref="InvalidDataException">model.json is not an OCR model or the weights do not match it.</exception>
    public static CrnnModel Load(string folder, double? sideMargin = null)
    {
        var checkpoint = Checkpoint.Load(folder, Kind);
        var characters = checkpoint.Settings["alphabet"]?.GetValue<string>() ?? throw new InvalidDataException($"{folder}: model.json lacks settings.alphabet");
        var model = new CrnnModel(new OcrAlphabet(characters),
            checkpoint.Settings["width"]?.GetValue<int>() ?? 32,
            checkpoint.Settings["hidden"]?.GetValue<int>() ?? 96,
            checkpoint.Settings["stretch"]?.GetValue<double>() ?? DefaultStretch,
            sideMargin ?? checkpoint.Settings["sideMargin"]?.GetValue<double>() ?? LineImage.DefaultMargin,
            checkpoint);
        ModelWeights.Load(folder, model, (model.Net, "crnn.pt"));
        return model;
    }

    /// <summary>Writes the weights and <c>model.json</c>.</summary>
    public void Save(string folder, JsonObject training, JsonObject metrics)
    {
        Directory.CreateDirectory(folder);
        // Weights first, renamed over the old ones, then model.json: a save cut short leaves a loadable model.
        var weights = Path.Combine(folder, "crnn.pt");
        Net.save(weights + ".tmp");
        File.Move(weights + ".tmp", weights, overwrite: true);
        new Checkpoint
        {
            Kind = Kind,
            Classes = ["<blank>", .. Alphabet.Characters.Select(c => c.ToString())],
            Settings = new JsonObject
            {
                ["alphabet"] = Alphabet.Characters,
                ["width"] = Width,
                ["hidden"] = Hidden,
                ["stretch"] = Stretch,
                ["sideMargin"] = SideMargin,
                ["inputHeight"] = CrnnNet.InputHeight,
                ["columnsPerFrame"] = CrnnNet.ColumnsPerFrame,
                ["preprocessing"] = "gray; ink = distance from the median (paper) level, scaled to 0..1; cropped to ink with a margin of 1/6 of the ink's height above and below and 'sideMargin' of it left and right; resized to height 32, width stretched by 'stretch'",
                ["loss"] = "CTC (blank = class 0)",
            },
            Training = training,
            Metrics = metrics,
        }.Save(folder);
    }

    /// <summary>Prepares an image for this model (or says why it holds nothing to read).</summary>
    public (LineImage? Image, string? NoReading) Prepare(OpenCvSharp.Mat image) => LineImage.Prepare(image, CrnnNet.InputHeight, Limits, Stretch, SideMargin);

    /// <summary>Reads and prepares an image file.</summary>
    public LineLoad Prepare(string path) => LineImage.Load(path, CrnnNet.InputHeight, Limits, Stretch, SideMargin);

    /// <summary>Per-frame log-probabilities of a batch of prepared lines: one T×C row-major array per line.</summary>
    public IReadOnlyList<(float[] LogProbs, int Frames)> Emissions(IReadOnlyList<LineImage> lines)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (lines.Count == 0)
        {
            return [];
        }
        return TensorLedger.Measure(() =>
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            Net.eval();
            using var batch = Batch(lines);
            var output = Net.forward(batch, FrameCounts(lines));
            var frames = (int)output.shape[1];
            var classes = (int)output.shape[2];
            var all = output.contiguous().data<float>().ToArray();
            var result = new List<(float[], int)>(lines.Count);
            for (var i = 0; i < lines.Count; i++)
            {
                var t = Math.Min(frames, CrnnNet.FramesOf(lines[i].Width));
                result.Add((all.AsSpan(i * frames * classes, t * classes).ToArray(), t));
            }
            return (IReadOnlyList<(float[], int)>)result;
        });
    }

    /// <summary>Each line's own frame count, for <see cref="CrnnNet.forward(Tensor, long[])"/> and the CTC input lengths.</summary>
    internal static long[] FrameCounts(IReadOnlyList<LineImage> lines) => [.. lines.Select(l => (long)CrnnNet.FramesOf(l.Width))];

    /// <summary>Batch widths are rounded up to a multiple of this many columns.</summary>
    /// <remarks>
    /// libtorch prepares its conv kernels once per input shape. Lines come in every width, so without rounding
    /// almost every batch is a new shape and pays that setup again. With packed GRU input, the extra padding
    /// does not change what a line reads.
    /// </remarks>
    public const int WidthStep = 32;

    /// <summary>A [N, 1, 32, W] tensor of prepared lines, zero-padded on the right to the widest rounded up to <see cref="WidthStep"/>.</summary>
    internal static Tensor Batch(IReadOnlyList<LineImage> lines)
    {
        var height = CrnnNet.InputHeight;
        var width = lines.Max(l => l.Width);
        width = (width + WidthStep - 1) / WidthStep * WidthStep;
        var buffer = new float[lines.Count * height * width];
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            for (var r = 0; r < height; r++)
            {
                line.Pixels.AsSpan(r * line.Width, line.Width).CopyTo(buffer.AsSpan((i * height * width) + (r * width), line.Width));
            }
        }
        return torch.tensor(buffer, [lines.Count, 1, height, width]);
    }

    /// <summary>Reads prepared lines (batched) into readings.</summary>
    /// <param name="lines">Prepared lines.</param>
    /// <param name="decoding">The decoder and its constraints.</param>
    /// <param name="nbest">Also list this many best distinct transcriptions in <see cref="Reading.NBest"/> (0: none).</param>
    public IReadOnlyList<Reading> Read(IReadOnlyList<LineImage> lines, CtcDecoding decoding, int nbest = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nbest);
        var emissions = Emissions(lines);
        var readings = new Reading[lines.Count];
        for (var i = 0; i < lines.Count; i++)
        {
            readings[i] = ToReading(lines[i], emissions[i].LogProbs, emissions[i].Frames, decoding);
            if (nbest > 0)
            {
                readings[i] = readings[i] with { NBest = decoding.NBest(emissions[i].LogProbs, emissions[i].Frames, nbest) };
            }
        }
        return readings;
    }

    /// <summary>
    /// Reads many image files, in order: a window of <paramref name="batchSize"/> × 8 files is loaded and prepared,
    /// sorted by width so each batch pads little, and its batches read; <paramref name="threads"/> threads share
    /// the loading and the batches (the weights are shared read-only, each thread uses one torch thread).
    /// </summary>
    /// <param name="paths">Image files, each holding one line.</param>
    /// <param name="decoding">The decoder and its constraints.</param>
    /// <param name="batchSize">Lines per network call.</param>
    /// <param name="threads">Threads sharing the loading and the batches.</param>
    /// <param name="nbest">Also list this many best distinct transcriptions in <see cref="Reading.NBest"/> (0: none).</param>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public IReadOnlyList<Reading> ReadFiles(IReadOnlyList<string> paths, CtcDecoding decoding, int batchSize = 32, int threads = 1, int nbest = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(nbest);
        // Checked up front, so a missing file is the documented exception rather than one wrapped by Parallel.
        if (paths.FirstOrDefault(p => !File.Exists(p)) is { } missing)
        {
            throw new FileNotFoundException($"image '{missing}' does not exist", missing);
        }
        var readings = new Reading[paths.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        var window = batchSize * 8;
        for (var start = 0; start < paths.Count; start += window)
        {
            var count = Math.Min(window, paths.Count - start);
            var lines = new LineImage?[count];
            Parallel.For(0, count, parallel, k =>
            {
                var loaded = Prepare(paths[start + k]);
                lines[k] = loaded.Image;
                if (loaded.Image is null)
                {
                    readings[start + k] = Reading.None(loaded.NoReading!, MethodName(decoding)) with { Refused = loaded.Refused };
                }
            });
            var order = Enumerable.Range(0, count).Where(k => lines[k] is not null).OrderBy(k => lines[k]!.Width).ToList();
            // Widest (slowest) batches first, handed out one at a time, so no thread is left with a wide batch
            // to read alone at the end of the window while the others wait.
            var batches = order.Chunk(batchSize).OrderByDescending(b => (long)lines[b[^1]]!.Width * b.Length).ToList();
            Parallel.ForEach(Partitioner.Create(batches, EnumerablePartitionerOptions.NoBuffering), parallel, batch =>
            {
                var batchReadings = Read([.. batch.Select(k => lines[k]!)], decoding, nbest);
                for (var i = 0; i < batch.Length; i++)
                {
                    readings[start + batch[i]] = batchReadings[i];
                }
            });
        }
        return readings;
    }

    /// <summary>Reads one image (8-bit gray or BGR).</summary>
    public Reading Read(OpenCvSharp.Mat image, CtcDecoding decoding, int nbest = 0)
    {
        var (line, reason) = Prepare(image);
        return line is null ? Reading.None(reason!, MethodName(decoding)) : Read([line], decoding, nbest)[0];
    }

    /// <summary>"crnn-ctc/greedy" and so on.</summary>
    public static string MethodName(CtcDecoding decoding) => $"crnn-ctc/{decoding.Name}";

    private Reading ToReading(LineImage line, float[] logProbs, int frames, CtcDecoding decoding)
    {
        var method = MethodName(decoding);
        if (frames == 0)
        {
            return Reading.None("the line is too narrow to read", method);
        }
        var (spans, noPath) = decoding.Decode(logProbs, frames);
        return noPath is not null ? Reading.None(noPath, method) : ToReading(Alphabet, line, logProbs, spans, method);
    }

    /// <summary>A reading from CTC character spans: each character's confidence is its best frame probability,
    /// its box reaches halfway to its neighbours' frames.</summary>
    internal static Reading ToReading(OcrAlphabet alphabet, LineImage line, ReadOnlySpan<float> logProbs, IReadOnlyList<(int Label, int FirstFrame, int LastFrame)> spans, string method)
    {
        if (spans.Count == 0)
        {
            return Reading.None("no characters recognised (every frame reads as blank)", method);
        }
        var classes = alphabet.ClassCount;
        var chars = new List<ReadChar>(spans.Count);
        var confidence = 1.0;
        var columns = CrnnNet.ColumnsPerFrame;
        for (var k = 0; k < spans.Count; k++)
        {
            var (label, first, last) = spans[k];
            var best = double.NegativeInfinity;
            for (var t = first; t <= last; t++)
            {
                best = Math.Max(best, logProbs[(t * classes) + label]);
            }
            var p = Math.Exp(best);
            confidence *= p;
            // CTC fires a character on a frame or two near its middle: the box reaches halfway to the
            // neighbouring characters' frames (and one character's width of frames past the line's ends).
            var left = k > 0 ? (spans[k - 1].LastFrame + 1 + first) / 2.0 : first - 2.0;
            var right = k + 1 < spans.Count ? (last + 1 + spans[k + 1].FirstFrame) / 2.0 : last + 3.0;
            var x0 = Math.Clamp(left * columns, 0, line.Width);
            var x1 = Math.Clamp(right * columns, x0 + 1, line.Width);
            chars.Add(new ReadChar(alphabet.CharOf(label), Math.Round(p, 4),
                line.Left + (int)Math.Round(x0 / line.Scale), line.Top,
                Math.Max(1, (int)Math.Round((x1 - x0) / line.Scale)), line.SourceHeight));
        }
        return new Reading(new string([.. chars.Select(c => c.Char)]), Math.Round(confidence, 4), chars, null, method);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        Net.Dispose();
        TensorLedger.Add(-_tensorCount);
    }
}
