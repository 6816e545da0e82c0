using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using StreamSeq.Lattice;
using StreamSeq.Ocr.Data;
using StreamSeq.Ocr.Model;
using StreamSeq.Ocr.Segmentation;

namespace StreamSeq.Ocr.Stages;

/// <summary>Options of <c>lattice.decode</c>.</summary>
public sealed class LatticeDecodeOptions : OcrReadingOptions
{
    [Description("Video: decode the union of the last N frames' lattices (one region per stage), so the line seen across frames gives one stable reading: the best path over all of them; agreement is the share of those frames whose own best reading is the same. 1 decodes each frame alone")]
    [Range(1, 100)]
    public int Union { get; init; } = 1;
}

/// <summary>
/// Reads the lattices <c>lattice.build</c> emits: composes each with the constraints (charset, pattern, word
/// list, character LM), takes the Viterbi path (and the n best distinct transcriptions on request) and emits an
/// <see cref="OcrTranscript"/> with per-character confidences and boxes. With <c>union</c> N &gt; 1 it decodes the
/// union of the last N frames' lattices instead (a frame with nothing to read adds nothing to the union).
/// </summary>
/// <remarks>The union's best path is the best-scoring path of any one frame (tropical semiring): frames vote with
/// their path scores, not by counting; summing a text's probability over frames would need determinisation in the
/// log semiring, which the library does not do.</remarks>
[Stage("lattice.decode", Description = "Viterbi / n-best over OCR lattices from lattice.build, under optional charset, pattern, word-list and character-LM constraints; optional union of the last N frames' lattices for a stable reading of video")]
public sealed class LatticeDecodeStage : TransformStage<OcrLattice, OcrTranscript>
{
    private readonly LatticeDecodeOptions _options;
    private readonly Queue<(OcrLattice Lattice, string? Text)> _window = new();
    private StageContext? _context;
    private string? _characters;
    private OcrConstraints _constraints = OcrConstraints.None;
    private Graph? _topology;

    public LatticeDecodeStage(LatticeDecodeOptions options) => _options = options;

    public override ValueTask StartAsync(StageContext context, CancellationToken cancellationToken)
    {
        _context = context;
        return ValueTask.CompletedTask;
    }

    public override ValueTask ProcessAsync(Packet<OcrLattice> input, Emitter<OcrTranscript> output, CancellationToken cancellationToken)
    {
        var lattice = input.Payload;
        if (lattice.Characters != _characters)
        {
            // Constraints are acceptors over the recogniser's classes: built for the first alphabet seen.
            _constraints = _options.BuildConstraints(lattice.Alphabet, _context ?? throw new InvalidOperationException("the stage was not started"));
            _topology = null;
            _characters = lattice.Characters;
            _window.Clear();
        }
        var method = $"{lattice.Recogniser}/viterbi{(_constraints.IsEmpty ? "" : "+" + _constraints.Name)}{(_options.Union > 1 ? $"/union{_options.Union}" : "")}";
        var own = DecodeOne(lattice, method);
        var reading = own;
        var agreement = 1.0;
        if (_options.Union > 1)
        {
            _window.Enqueue((lattice, own.HasReading ? own.Text : null));
            while (_window.Count > _options.Union)
            {
                _window.Dequeue();
            }
            reading = DecodeUnion(method);
            if (reading.HasReading)
            {
                agreement = _window.Count(w => w.Text == reading.Text) / (double)_window.Count;
            }
        }
        else if (_options.Nbest > 0 && own.HasReading && lattice.Graph is not null)
        {
            reading = own with { NBest = Alternatives(ConstrainedLattice.Apply(lattice.Graph, _constraints), lattice.Alphabet) };
        }
        if (!reading.HasReading && !_options.EmitNoReading)
        {
            return ValueTask.CompletedTask;
        }
        return output.EmitAsync(OcrTranscript.Of(reading, lattice.Frame, lattice.Time, agreement), cancellationToken);
    }

    /// <summary>The reading of one frame's lattice (for a CTC lattice pruned so far that the constraints leave no
    /// path, the full lattice is tried).</summary>
    private Reading DecodeOne(OcrLattice lattice, string method)
    {
        if (lattice.Graph is null)
        {
            return Reading.None(lattice.NoReading ?? "no lattice", method);
        }
        var constrained = ConstrainedLattice.Apply(lattice.Graph, _constraints);
        var (arcs, _, noPath) = constrained.Best();
        if (noPath is not null && lattice.Kind == OcrLatticeKind.Ctc && !_constraints.IsEmpty)
        {
            _topology ??= Ctc.Topology(lattice.Alphabet.ClassCount, OcrAlphabet.Blank);
            var full = GraphOps.Compose(CtcDecoding.PrunedEmissions(lattice.LogProbs!, lattice.Frames, lattice.Alphabet.ClassCount, 0), _topology);
            lattice = new OcrLattice
            {
                Kind = lattice.Kind,
                Alphabet = lattice.Alphabet,
                Graph = full,
                Line = lattice.Line,
                LogProbs = lattice.LogProbs,
                Frames = lattice.Frames,
                Frame = lattice.Frame,
                Time = lattice.Time,
            };
            (arcs, _, noPath) = ConstrainedLattice.Apply(full, _constraints).Best();
        }
        if (noPath is not null)
        {
            return Reading.None(_constraints.IsEmpty ? $"no path through the lattice ({noPath})" : $"no transcription the {_constraints.Name} accepts fits the image ({noPath})", method);
        }
        return ToReading(lattice, arcs, method);
    }

    /// <summary>The reading of the union of the window's lattices: the best path belongs to one frame's lattice,
    /// whose geometry gives the boxes.</summary>
    private Reading DecodeUnion(string method)
    {
        var members = _window.Select(w => w.Lattice).Where(l => l.Graph is not null).ToList();
        if (members.Count == 0)
        {
            return Reading.None($"none of the last {_window.Count} frames holds a lattice ({_window.Last().Lattice.NoReading})", method);
        }
        var union = GraphOps.Union([.. members.Select(m => m.Graph!)]);
        var constrained = ConstrainedLattice.Apply(union, _constraints);
        var (arcs, _, noPath) = constrained.Best();
        if (noPath is not null || arcs.Count == 0)
        {
            return Reading.None($"no transcription{(_constraints.IsEmpty ? "" : " the " + _constraints.Name + " accepts")} fits the last {_window.Count} frames ({noPath ?? "empty path"})", method);
        }
        var sources = union.Origin!.ArcSources;
        var member = Enumerable.Range(0, members.Count).First(k => sources[k][arcs[0]] >= 0);
        var reading = ToReading(members[member], [.. arcs.Select(a => sources[member][a])], method);
        if (_options.Nbest > 0 && reading.HasReading)
        {
            reading = reading with { NBest = Alternatives(constrained, members[member].Alphabet) };
        }
        return reading;
    }

    private IReadOnlyList<Alternative> Alternatives(ConstrainedLattice constrained, OcrAlphabet alphabet) =>
        [.. constrained.NBest(_options.Nbest).Select(s => new Alternative(alphabet.Decode(s.Labels), Math.Round(s.Score, 4)))];

    private static Reading ToReading(OcrLattice lattice, IReadOnlyList<int> arcs, string method) => lattice.Kind switch
    {
        OcrLatticeKind.Ctc => CrnnModel.ToReading(lattice.Alphabet, lattice.Line!, lattice.LogProbs!,
            CtcDecoding.Spans(CtcDecoding.FrameLabels(lattice.Graph!, arcs, lattice.Frames)), method),
        _ => SegmentModel.ToReading(lattice.Alphabet, lattice.Line!, lattice.Segments!, arcs, method),
    };
}
