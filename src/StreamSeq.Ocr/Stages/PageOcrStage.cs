using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using StreamSeq.Learning;
using StreamSeq.Media;
using StreamSeq.Ocr.Model;
using StreamSeq.Ocr.Pages;

namespace StreamSeq.Ocr.Stages;

/// <summary>Options of <c>ocr.page</c>.</summary>
public sealed class PageOcrOptions
{
    [Description("Model folder written by 'streamseq train ocr' (model.json, crnn.pt); models/ocr-printed reads print")]
    [RequiredOption]
    [PathMustExist(Directory = true)]
    public string Model { get; init; } = "";

    [Description("Decoder of each line: greedy (best path) or viterbi (lattice)")]
    public CtcDecoder Decoder { get; init; } = CtcDecoder.Greedy;

    [Description("ARPA character language model composed with each line's lattice (implies viterbi); empty: none")]
    [PathMustExist]
    public string Lm { get; init; } = "";

    [Description("Weight of the language model's log-probabilities against the recogniser's")]
    [Range(0.0, 100.0)]
    public double LmWeight { get; init; } = 0.5;

    [Description("Largest tilt searched for and undone, degrees (0: read the frame as it is)")]
    [Range(0.0, 45.0)]
    public double MaxSkewDegrees { get; init; } = 5;

    [Description("A white band at least this many text heights wide, crossing a region from top to bottom, separates columns")]
    [Range(0.5, 100.0)]
    public double ColumnGap { get; init; } = 2.5;

    [Description("A white band at least this many text heights tall across a region separates blocks")]
    [Range(0.2, 100.0)]
    public double BlockGap { get; init; } = 1.5;

    [Description("Video: a line whose box and pixels match one of the previous frame's keeps that line's reading instead of being read again")]
    public bool ReuseUnchangedLines { get; init; } = true;

    [Description("Video: emit a frame only when its text differs from the last emitted frame's (the first frame is always emitted)")]
    public bool OnlyChanges { get; init; }

    [Description("Emit frames in which no text was found, with the reason; otherwise they are dropped")]
    public bool EmitNoText { get; init; } = true;

    [Description("Torch intra-op threads (one setting per process: StreamSeq:TorchThreads, else the first model stage to start, sets it; 0: no preference)")]
    [Range(0, 256)]
    public int Threads { get; init; } = 1;
}

/// <summary>What <c>ocr.page</c> read in one frame.</summary>
/// <param name="Frame">The frame's number in its source.</param>
/// <param name="Time">The frame's media time, seconds.</param>
/// <param name="Page">The lines in reading order with boxes, words and confidences.</param>
/// <param name="LinesReused">Lines that kept the previous frame's reading because they had not changed.</param>
public sealed record OcrPageTranscript(long Frame, double Time, OcrPage Page, int LinesReused);

/// <summary>
/// Reads every text line of each frame (a scanned page, a screenshot, a video frame): deskew, classical layout
/// analysis into columns, blocks and lines in reading order (<see cref="PageLayout"/>), each line read by the
/// CRNN. On a video, lines that stay on screen are read once and their reading kept until they change.
/// </summary>
[Stage("ocr.page", Description = "Page and frame OCR: deskew, columns, blocks and lines in reading order (classical layout analysis), each line read by the CRNN; lines with boxes, words and confidences")]
public sealed class PageOcrStage : ModelStage<VideoFrame, OcrPageTranscript, CrnnModel>
{
    private readonly PageOcrOptions _options;
    private readonly PageLayoutOptions _layout;
    private CtcDecoding? _decoding;
    private PageMemory? _memory;
    private string? _lastText;

    public PageOcrStage(PageOcrOptions options)
    {
        _options = options;
        _layout = new PageLayoutOptions { MaxSkewDegrees = options.MaxSkewDegrees, ColumnGap = options.ColumnGap, BlockGap = options.BlockGap };
    }

    protected override string ModelFolder => _options.Model;

    protected override int Threads => _options.Threads;

    protected override CrnnModel Load(string folder) => CrnnModel.Load(folder);

    protected override string Prepare(CrnnModel model, string folder, StageContext context)
    {
        var constraints = _options.Lm.Length == 0 ? OcrConstraints.None : OcrConstraints.Build(model.Alphabet, lm: context.ResolvePath(_options.Lm), lmWeight: _options.LmWeight);
        _decoding = new CtcDecoding(model.Alphabet, _options.Decoder, constraints);
        _memory = _options.ReuseUnchangedLines ? new PageMemory() : null;
        _lastText = null;
        return $"CRNN model {folder}, decoder {_decoding.Name}";
    }

    public override ValueTask ProcessAsync(Packet<VideoFrame> input, Emitter<OcrPageTranscript> output, CancellationToken cancellationToken)
    {
        var model = Model;
        var frame = input.Payload;
        var page = PageReader.Read(model, frame.Image, _decoding!, _layout, _memory);
        if (page.NoText is not null && !_options.EmitNoText)
        {
            return ValueTask.CompletedTask;
        }
        var text = page.Text;
        if (_options.OnlyChanges && _lastText == text)
        {
            return ValueTask.CompletedTask;
        }
        _lastText = text;
        return output.EmitAsync(new OcrPageTranscript(frame.Index, Math.Round(frame.MediaTime.TotalSeconds, 4), page, _memory?.LastReused ?? 0), cancellationToken);
    }
}
