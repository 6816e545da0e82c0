using System.Text.Json.Nodes;
using StreamSeq.Lattice;
using StreamSeq.Learning;
using StreamSeq.Ocr.Data;
using StreamSeq.Ocr.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace StreamSeq.Ocr.Segmentation;

/// <summary>One candidate segment of a line: the slice between two cuts, in prepared-line columns.</summary>
/// <param name="FromCut">Index of its left cut.</param>
/// <param name="ToCut">Index of its right cut.</param>
/// <param name="Left">First column.</param>
/// <param name="Right">Column past the last.</param>
public sealed record Segment(int FromCut, int ToCut, int Left, int Right);

/// <summary>The segmentation lattice of a line: states are cuts, each arc reads one character over one segment.</summary>
/// <param name="Graph">The acceptor: arc label = character class (1-based), weight = log P(character | segment).</param>
/// <param name="ArcSegments">The segment of each arc, by arc number.</param>
/// <param name="Cuts">The cut columns.</param>
public sealed record SegmentLattice(Graph Graph, IReadOnlyList<Segment> ArcSegments, IReadOnlyList<int> Cuts);

/// <summary>
/// The segmentation recogniser after LeCun, Bottou, Bengio &amp; Haffner (1998): over-segment the line
/// (<see cref="OverSegmenter"/>), score every run of up to <see cref="MaxSlices"/> consecutive slices with the
/// character network, build the lattice whose paths are segmentations × labellings, and read the Viterbi path
/// (optionally through a grammar), with per-character confidence and box. Owns its network's tensors.
/// </summary>
public sealed class SegmentModel : IDisposable
{
    /// <summary>The model kind in <c>model.json</c>.</summary>
    public const string Kind = "ocr.segment";

    /// <summary>Most slices one character may span.</summary>
    public const int MaxSlices = 4;

    /// <summary>Height lines are prepared at.</summary>
    public const int LineHeight = 32;

    private readonly int _tensorCount;
    private bool _disposed;

    private SegmentModel(OcrAlphabet alphabet, Checkpoint? checkpoint)
    {
        TorchRuntime.EnsureLoaded();
        Alphabet = alphabet;
        Checkpoint = checkpoint;
        Net = new CharNet(alphabet.Characters.Length + 1);
        _tensorCount = Net.parameters().Count() + Net.buffers().Count();
        TensorLedger.Add(_tensorCount);
    }

    /// <summary>The characters (class i + 1 is character i; the network's last output is "not a character").</summary>
    public OcrAlphabet Alphabet { get; }

    public CharNet Net { get; }

    public Checkpoint? Checkpoint { get; }

    /// <summary>Limits on input images.</summary>
    public LineImageLimits Limits { get; init; } = LineImageLimits.Default;

    /// <summary>"Not a character": the network's last output.</summary>
    public int Garbage => Alphabet.Characters.Length;

    public static SegmentModel Create(OcrAlphabet alphabet) => new(alphabet, null);

    /// <summary>Loads a model folder written by <see cref="Save"/>.</summary>
    public static SegmentModel Load(string folder)
    {
        var checkpoint = Checkpoint.Load(folder, Kind);
        var characters = checkpoint.Settings["alphabet"]?.GetValue<string>() ?? throw new InvalidDataException($"{folder}: model.json lacks settings.alphabet");
        var model = new SegmentModel(new OcrAlphabet(characters), checkpoint);
        ModelWeights.Load(folder, model, (model.Net, "charnet.pt"));
        return model;
    }

    public void Save(string folder, JsonObject training, JsonObject metrics)
    {
        Directory.CreateDirectory(folder);
        Net.save(Path.Combine(folder, "charnet.pt"));
        new Checkpoint
        {
            Kind = Kind,
            Classes = [.. Alphabet.Characters.Select(c => c.ToString()), "<not a character>"],
            Settings = new JsonObject
            {
                ["alphabet"] = Alphabet.Characters,
                ["lineHeight"] = LineHeight,
                ["maxSlices"] = MaxSlices,
                ["segments"] = "cuts in ink-free column runs and at column-profile minima; each run of up to maxSlices slices cropped to its ink, fitted to 20x20 and centred by mass in 28x28 (MNIST style)",
            },
            Training = training,
            Metrics = metrics,
        }.Save(folder);
    }

    /// <summary>Prepares an image (no stretch: segments are measured in true proportions).</summary>
    public LineLoad Prepare(string path) => LineImage.Load(path, LineHeight, Limits);

    /// <summary>Prepares an image.</summary>
    public (LineImage? Image, string? NoReading) Prepare(OpenCvSharp.Mat image) => LineImage.Prepare(image, LineHeight, Limits);

    /// <summary>The segments a line's cuts allow: runs of 1..<see cref="MaxSlices"/> slices no wider than 1.5× the height.</summary>
    public static IReadOnlyList<Segment> Segments(IReadOnlyList<int> cuts, int height)
    {
        var segments = new List<Segment>();
        for (var i = 0; i < cuts.Count - 1; i++)
        {
            for (var j = i + 1; j < cuts.Count && j - i <= MaxSlices; j++)
            {
                if (cuts[j] - cuts[i] > height * 1.5 && j > i + 1)
                {
                    break;
                }
                segments.Add(new Segment(i, j, cuts[i], cuts[j]));
            }
        }
        return segments;
    }

    /// <summary>The cuts of a line, its candidate segments with their normalised pixels, and the ink-free slices.</summary>
    public static (IReadOnlyList<int> Cuts, List<(Segment Segment, float[] Pixels)> Inked, List<Segment> Empty) Candidates(LineImage line)
    {
        var cuts = OverSegmenter.Cuts(line.Pixels, line.Width, line.Height);
        var inked = new List<(Segment, float[])>();
        var empty = new List<Segment>();
        if (cuts.Count < 2)
        {
            return (cuts, inked, empty);
        }
        foreach (var s in Segments(cuts, line.Height))
        {
            if (OverSegmenter.Normalise(line.Pixels, line.Width, line.Height, s.Left, s.Right) is { } pixels)
            {
                inked.Add((s, pixels));
            }
            else if (s.ToCut == s.FromCut + 1)
            {
                empty.Add(s);
            }
        }
        return (cuts, inked, empty);
    }

    /// <summary>
    /// The lattice of candidates scored by <paramref name="scores"/> ([segments, classes] log-probabilities,
    /// row-major): arc <c>k·C + c</c> reads character class c + 1 over inked segment k (C = characters), then one
    /// epsilon arc per ink-free slice (weight 0), so an arc gradient maps straight back onto the score rows.
    /// </summary>
    public SegmentLattice Lattice(IReadOnlyList<int> cuts, IReadOnlyList<(Segment Segment, float[] Pixels)> inked, IReadOnlyList<Segment> empty, ReadOnlySpan<float> scores)
    {
        var graph = new Graph();
        var arcSegments = new List<Segment>();
        if (cuts.Count < 2)
        {
            return new SegmentLattice(graph, arcSegments, cuts);
        }
        graph.AddStates(cuts.Count);
        graph.SetStart(0);
        graph.SetFinal(cuts.Count - 1);
        var characters = Alphabet.Characters.Length;
        var classes = characters + 1;
        for (var k = 0; k < inked.Count; k++)
        {
            var s = inked[k].Segment;
            for (var c = 0; c < characters; c++)
            {
                graph.AddArc(s.FromCut, s.ToCut, c + 1, scores[(k * classes) + c]);
                arcSegments.Add(s);
            }
        }
        foreach (var s in empty)
        {
            graph.AddArc(s.FromCut, s.ToCut, Graph.Epsilon, 0.0);
            arcSegments.Add(s);
        }
        return new SegmentLattice(graph, arcSegments, cuts);
    }

    /// <summary>Builds the scored segmentation lattice of a prepared line.</summary>
    public SegmentLattice BuildLattice(LineImage line)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var (cuts, inked, empty) = Candidates(line);
        var scores = inked.Count == 0 ? [] : Score([.. inked.Select(i => i.Pixels)]);
        return Lattice(cuts, inked, empty, scores);
    }

    /// <summary>An acceptor of exactly one class sequence.</summary>
    public static Graph Answer(IReadOnlyList<int> labels)
    {
        var graph = new Graph();
        graph.AddStates(labels.Count + 1);
        graph.SetStart(0);
        graph.SetFinal(labels.Count);
        for (var i = 0; i < labels.Count; i++)
        {
            graph.AddArc(i, i + 1, labels[i]);
        }
        return graph;
    }

    /// <summary>Log-probabilities of a batch of 28×28 segments, row-major [N, classes].</summary>
    public float[] Score(IReadOnlyList<float[]> segments)
    {
        return TensorLedger.Measure(() =>
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            Net.eval();
            var input = torch.tensor(segments.SelectMany(s => s).ToArray(), [segments.Count, 1, 28, 28]);
            return Net.forward(input).data<float>().ToArray();
        });
    }

    /// <summary>Reads a prepared line: the Viterbi path of its lattice (composed with <paramref name="grammar"/> if given).</summary>
    public Reading Read(LineImage line, Graph? grammar = null) =>
        Read(line, grammar is null ? OcrConstraints.None : OcrConstraints.Of("grammar", grammar));

    /// <summary>Reads a prepared line: the Viterbi path of its lattice composed with <paramref name="constraints"/>,
    /// and, when <paramref name="nbest"/> &gt; 0, the n best distinct transcriptions.</summary>
    public Reading Read(LineImage line, OcrConstraints constraints, int nbest = 0)
    {
        ArgumentNullException.ThrowIfNull(constraints);
        return Decode(line, BuildLattice(line), constraints, nbest);
    }

    /// <summary>"segment/viterbi", or "segment/viterbi+pattern+lm" and so on under constraints.</summary>
    public static string MethodName(OcrConstraints constraints) =>
        constraints.IsEmpty ? "segment/viterbi" : "segment/viterbi+" + constraints.Name;

    /// <summary>Reads a built lattice: Viterbi under the constraints, characters with confidences and boxes from
    /// the segments of the path's arcs, and optionally the n best distinct transcriptions.</summary>
    public Reading Decode(LineImage line, SegmentLattice lattice, OcrConstraints constraints, int nbest = 0)
    {
        ArgumentNullException.ThrowIfNull(lattice);
        ArgumentOutOfRangeException.ThrowIfNegative(nbest);
        var method = MethodName(constraints);
        var constrained = ConstrainedLattice.Apply(lattice.Graph, constraints);
        var (arcs, _, noPath) = constrained.Best();
        if (noPath is not null)
        {
            return Reading.None(lattice.Cuts.Count < 2 ? "no ink to segment" : $"no segmentation reads as a transcription{(constraints.IsEmpty ? "" : " the " + constraints.Name + " accepts")} ({noPath})", method);
        }
        var reading = ToReading(Alphabet, line, lattice, arcs, method);
        if (nbest > 0 && reading.HasReading)
        {
            reading = reading with { NBest = [.. constrained.NBest(nbest).Select(a => new Alternative(Alphabet.Decode(a.Labels), Math.Round(a.Score, 4)))] };
        }
        return reading;
    }

    /// <summary>A reading from a path of lattice arcs: one character per labelled arc, its confidence
    /// exp(arc weight) and its box the arc's segment.</summary>
    internal static Reading ToReading(OcrAlphabet alphabet, LineImage line, SegmentLattice lattice, IEnumerable<int> arcs, string method)
    {
        var chars = new List<ReadChar>();
        var confidence = 1.0;
        foreach (var a in arcs)
        {
            var label = lattice.Graph.Arcs[a].Input;
            if (label == Graph.Epsilon)
            {
                continue;
            }
            var s = lattice.ArcSegments[a];
            var p = Math.Exp(lattice.Graph.Weights[a]);
            confidence *= p;
            chars.Add(new ReadChar(alphabet.CharOf(label), Math.Round(p, 4),
                line.Left + (int)Math.Round(s.Left / line.Scale), line.Top,
                Math.Max(1, (int)Math.Round((s.Right - s.Left) / line.Scale)), line.SourceHeight));
        }
        if (chars.Count == 0)
        {
            return Reading.None("no characters recognised", method);
        }
        return new Reading(new string([.. chars.Select(c => c.Char)]), Math.Round(confidence, 4), chars, null, method);
    }

    /// <summary>Reads one image.</summary>
    public Reading Read(OpenCvSharp.Mat image, Graph? grammar = null) =>
        Read(image, grammar is null ? OcrConstraints.None : OcrConstraints.Of("grammar", grammar));

    /// <summary>Reads one image under constraints, with n-best alternatives when <paramref name="nbest"/> &gt; 0.</summary>
    public Reading Read(OpenCvSharp.Mat image, OcrConstraints constraints, int nbest = 0)
    {
        var (line, reason) = Prepare(image);
        return line is null ? Reading.None(reason!, MethodName(constraints)) : Read(line, constraints, nbest);
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
