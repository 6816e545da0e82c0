using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using StreamSeq.Learning;
using StreamSeq.Media;
using StreamSeq.Ocr.Model;
using StreamSeq.Ocr.Segmentation;

namespace StreamSeq.Ocr.Stages;

/// <summary>Options of <c>lattice.build</c>.</summary>
public sealed class LatticeBuildOptions
{
    [Description("Model folder: a CRNN (model.json kind ocr.crnn: emissions ∘ CTC topology) or a segmentation recogniser (kind ocr.segment: the segmentation lattice)")]
    [RequiredOption]
    [PathMustExist(Directory = true)]
    public string Model { get; init; } = "";

    [Description("CRNN: keep per frame the classes within this many nats of the frame's best (0: all; the unconstrained best path always survives)")]
    [Range(0.0, 1000.0)]
    public double Beam { get; init; } = CtcDecoding.DefaultBeam;

    [Description("Torch intra-op threads (one setting per process: StreamSeq:TorchThreads, else the first model stage to start, sets it; 0: no preference)")]
    [Range(0, 256)]
    public int Threads { get; init; } = 1;
}

/// <summary>
/// Builds the recognition lattice of the text line in each frame (crop the text region first with
/// <c>video.crop</c>): with a CRNN, its per-frame emissions composed with the CTC topology; with a segmentation
/// model, the lattice of character-network-scored candidate segments. Emits one <see cref="OcrLattice"/> per
/// frame (with the reason when the frame holds nothing to read); <c>lattice.decode</c> reads them.
/// </summary>
[Stage("lattice.build", Description = "Recognition lattice of the text line in each frame: CRNN emissions ∘ CTC topology, or the segmentation lattice of a segment model (for lattice.decode)")]
public sealed class LatticeBuildStage : ModelStage<VideoFrame, OcrLattice, IDisposable>
{
    private readonly LatticeBuildOptions _options;
    private CrnnModel? _crnn;
    private CtcDecoding? _ctc;
    private SegmentModel? _segment;

    public LatticeBuildStage(LatticeBuildOptions options) => _options = options;

    protected override string ModelFolder => _options.Model;

    protected override int Threads => _options.Threads;

    /// <summary>A CRNN or a segmentation model, by the kind its <c>model.json</c> names.</summary>
    protected override IDisposable Load(string folder)
    {
        string? kind;
        try
        {
            kind = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, Checkpoint.FileName)))?["kind"]?.GetValue<string>();
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidDataException($"cannot read {Checkpoint.FileName}: {e.Message}", e);
        }
        return kind switch
        {
            CrnnModel.Kind => CrnnModel.Load(folder),
            SegmentModel.Kind => SegmentModel.Load(folder),
            _ => throw new InvalidDataException($"model kind '{kind}' is neither {CrnnModel.Kind} nor {SegmentModel.Kind}"),
        };
    }

    protected override string Prepare(IDisposable model, string folder, StageContext context)
    {
        _crnn = model as CrnnModel;
        _segment = model as SegmentModel;
        if (_crnn is not null)
        {
            _ctc = new CtcDecoding(_crnn.Alphabet, CtcDecoder.Viterbi, OcrConstraints.None, _options.Beam);
            return $"{CrnnModel.Kind} model {folder}";
        }
        return $"{SegmentModel.Kind} model {folder}";
    }

    protected override void Release()
    {
        // The model itself is the base's to dispose; these are views of it.
        _crnn = null;
        _segment = null;
        _ctc = null;
    }

    public override ValueTask ProcessAsync(Packet<VideoFrame> input, Emitter<OcrLattice> output, CancellationToken cancellationToken)
    {
        _ = Model;
        var frame = input.Payload;
        var time = Math.Round(frame.MediaTime.TotalSeconds, 4);
        OcrLattice lattice;
        if (_crnn is not null)
        {
            var (line, reason) = _crnn.Prepare(frame.Image);
            if (line is null)
            {
                lattice = new OcrLattice { Kind = OcrLatticeKind.Ctc, Alphabet = _crnn.Alphabet, NoReading = reason, Frame = frame.Index, Time = time };
            }
            else
            {
                var (logProbs, frames) = _crnn.Emissions([line])[0];
                lattice = frames == 0
                    ? new OcrLattice { Kind = OcrLatticeKind.Ctc, Alphabet = _crnn.Alphabet, NoReading = "the line is too narrow to read", Frame = frame.Index, Time = time }
                    : new OcrLattice
                    {
                        Kind = OcrLatticeKind.Ctc,
                        Alphabet = _crnn.Alphabet,
                        Graph = _ctc!.Lattice(logProbs, frames),
                        Line = line,
                        LogProbs = logProbs,
                        Frames = frames,
                        Frame = frame.Index,
                        Time = time,
                    };
            }
        }
        else
        {
            var model = _segment ?? throw new InvalidOperationException("the stage was not started");
            var (line, reason) = model.Prepare(frame.Image);
            if (line is null)
            {
                lattice = new OcrLattice { Kind = OcrLatticeKind.Segment, Alphabet = model.Alphabet, NoReading = reason, Frame = frame.Index, Time = time };
            }
            else
            {
                var segments = model.BuildLattice(line);
                lattice = segments.Cuts.Count < 2
                    ? new OcrLattice { Kind = OcrLatticeKind.Segment, Alphabet = model.Alphabet, NoReading = "no ink to segment", Frame = frame.Index, Time = time }
                    : new OcrLattice { Kind = OcrLatticeKind.Segment, Alphabet = model.Alphabet, Graph = segments.Graph, Segments = segments, Line = line, Frame = frame.Index, Time = time };
            }
        }
        return output.EmitAsync(lattice, cancellationToken);
    }
}
