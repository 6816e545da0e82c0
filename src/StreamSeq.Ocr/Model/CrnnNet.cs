using StreamSeq.Learning;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace StreamSeq.Ocr.Model;

/// <summary>
/// CRNN (Shi, Bai &amp; Yao 2015) at a small scale: three conv–batch-norm–ReLU blocks over a line image of
/// height <see cref="InputHeight"/> (pooling height by 8 and width by 4), the columns projected and read by a
/// bidirectional GRU, then a linear layer to per-column class log-probabilities (class 0 = CTC blank).
/// </summary>
public sealed class CrnnNet : Module<Tensor, Tensor>
{
    // Runs before the base constructor creates native modules: loads libtorch and chooses convolution kernels
    // that are right on this CPU (TorchRuntime, ConvolutionSelfCheck) before any of this network's convolutions run.
    static CrnnNet() => TorchRuntime.EnsureLoaded();

    /// <summary>Input height in pixels.</summary>
    public const int InputHeight = 32;

    /// <summary>Input columns per output frame.</summary>
    public const int ColumnsPerFrame = 4;

    private readonly Sequential _features;
    private readonly Linear _project;
    private readonly GRU _rnn;
    private readonly Linear _output;

    public CrnnNet(int classes, int width = 16, int hidden = 64) : base("crnn")
    {
        _features = Sequential(
            Conv2d(1, width, 3, padding: 1), RaceFreeBatchNorm.For2d(width), ReLU(), MaxPool2d(2),
            Conv2d(width, 2 * width, 3, padding: 1), RaceFreeBatchNorm.For2d(2 * width), ReLU(), MaxPool2d(2),
            Conv2d(2 * width, 3 * width, 3, padding: 1), RaceFreeBatchNorm.For2d(3 * width), ReLU(), MaxPool2d([2L, 1L]));
        _project = Linear(3 * width * (InputHeight / 8), 128);
        _rnn = GRU(128, hidden, numLayers: 1, batchFirst: true, bidirectional: true);
        _output = Linear(2 * hidden, classes);
        RegisterComponents();
    }

    /// <summary>Frames the network emits for an input <paramref name="width"/> pixels wide.</summary>
    public static int FramesOf(int width) => width / ColumnsPerFrame;

    /// <summary>Maps [N, 1, 32, W] ink images to [N, W/4, classes] log-probabilities; every frame is read.</summary>
    public override Tensor forward(Tensor input) => forward(input, null);

    /// <summary>
    /// Maps [N, 1, 32, W] ink images to [N, W/4, classes] log-probabilities. With <paramref name="frames"/> (each
    /// line's own frame count), the GRU reads each line only up to its own end: the backward direction starts at
    /// the line's last frame instead of running in through the batch's padding, so a line reads the same alone as
    /// in any batch. Frames past a line's end are then zeros.
    /// </summary>
    public Tensor forward(Tensor input, long[]? frames)
    {
        using var scope = NewDisposeScope();
        var features = _features.forward(input);
        var (n, c, h, w) = (features.shape[0], features.shape[1], features.shape[2], features.shape[3]);
        var columns = features.permute(0, 3, 1, 2).reshape(n, w, c * h);
        var projected = functional.relu(_project.forward(columns));
        Tensor sequence;
        if (frames is null || frames.All(f => f == w))
        {
            (sequence, var state) = _rnn.forward(projected);
            state.Dispose();
        }
        else
        {
            if (frames.Length != n || frames.Any(f => f < 1 || f > w))
            {
                throw new ArgumentException($"frames: {n} counts in 1..{w} expected", nameof(frames));
            }
            using var lengths = torch.tensor(frames);
            using var packed = nn.utils.rnn.pack_padded_sequence(projected, lengths, batch_first: true, enforce_sorted: false);
            var (output, state) = _rnn.call(packed, null);
            state.Dispose();
            using (output)
            {
                (sequence, var outputLengths) = nn.utils.rnn.pad_packed_sequence(output, batch_first: true, total_length: w);
                outputLengths.Dispose();
            }
        }
        return functional.log_softmax(_output.forward(sequence), 2).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _features.Dispose();
            _project.Dispose();
            _rnn.Dispose();
            _output.Dispose();
        }
        base.Dispose(disposing);
    }
}
