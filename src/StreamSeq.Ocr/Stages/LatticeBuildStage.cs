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

    [Description("Torch intra-op threads for this stage (0: torch's default)")]
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
public sealed class LatticeBuildStage : TransformStage<VideoFrame, OcrLattice>
{
    private readonly LatticeBuildOptions _options;
    private CrnnModel? _crnn;
    private CtcDecoding? _ctc;
    private SegmentModel? _segment;

    public LatticeBuildStage(LatticeBuildOptions options) => _options = options;

    public override ValueTask StartAsync(StageContext context, CancellationToken cancellationToken)
    {
        if (_options.Threads > 0)
        {
            TorchRuntime.Configure(seed: 0, _options.Threads);
        }
        var folder = context.ResolvePath(_options.Model);
        string? kind;
        try
        {
            kind = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, Checkpoint.FileName)))?["kind"]?.GetValue<string>();
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"{context.StageId}: {folder}: cannot read {Checkpoint.FileName}: {e.Message}", e);
        }
        switch (kind)
        {
            case CrnnModel.Kind:
                _crnn = CrnnModel.Load(folder);
                _ctc = new CtcDecoding(_crnn.Alphabet, CtcDecoder.Viterbi, OcrConstraints.None, _options.Beam);
                break;
            case SegmentModel.Kind:
                _segment = SegmentModel.Load(folder);
                break;
            default:
                throw new InvalidDataException($"{context.StageId}: {folder}: model kind '{kind}' is neither {CrnnModel.Kind} nor {SegmentModel.Kind}");
        }
        context.Logger.LogInformation("{Stage}: {Kind} model {Model}", context.StageId, kind, folder);
        return ValueTask.CompletedTask;
    }

    public override ValueTask ProcessAsync(Packet<VideoFrame> input, Emitter<OcrLattice> output, CancellationToken cancellationToken)
    {
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

    public override ValueTask StopAsync()
    {
        _crnn?.Dispose();
        _crnn = null;
        _segment?.Dispose();
        _segment = null;
        return ValueTask.CompletedTask;
    }
}
