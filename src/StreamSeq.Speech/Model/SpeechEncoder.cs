using StreamSeq.Learning;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace StreamSeq.Speech.Model;

/// <summary>
/// The acoustic encoder: two 1-D conv–batch-norm–ReLU blocks over feature frames (the first halves the
/// frame rate) and a bidirectional GRU over the result. Padding never leaks into real frames: every conv
/// block's output is masked beyond each utterance's length and the GRU runs on packed sequences, so an
/// utterance encodes to the same states alone or in any batch.
/// </summary>
public sealed class SpeechEncoder : Module<Tensor, Tensor, (Tensor States, Tensor Lengths)>
{
    // Runs before the base constructor creates native modules: loads libtorch and chooses convolution kernels
    // that are right on this CPU (TorchRuntime, ConvolutionSelfCheck) before any of this network's convolutions run.
    static SpeechEncoder() => TorchRuntime.EnsureLoaded();

    /// <summary>Feature frames per encoder frame.</summary>
    public const int Subsampling = 3;

    private readonly Conv1d _conv1;
    private readonly RaceFreeBatchNorm _norm1;
    private readonly Conv1d _conv2;
    private readonly RaceFreeBatchNorm _norm2;
    private readonly GRU _rnn;
    private readonly Dropout _dropout;

    /// <param name="features">Feature bins per frame.</param>
    /// <param name="channels">Conv channels.</param>
    /// <param name="hidden">GRU units per direction.</param>
    /// <param name="layers">GRU layers.</param>
    /// <param name="dropout">Dropout between GRU layers and on the output while training.</param>
    public SpeechEncoder(int features, int channels, int hidden, int layers, double dropout) : base("encoder")
    {
        _conv1 = Conv1d(features, channels, 5, stride: Subsampling, padding: 2);
        _norm1 = RaceFreeBatchNorm.For1d(channels);
        _conv2 = Conv1d(channels, channels, 5, padding: 2);
        _norm2 = RaceFreeBatchNorm.For1d(channels);
        _rnn = GRU(channels, hidden, numLayers: layers, batchFirst: true, bidirectional: true, dropout: layers > 1 ? dropout : 0);
        _dropout = Dropout(dropout);
        OutputSize = 2 * hidden;
        RegisterComponents();
    }

    /// <summary>Size of an encoder state (both directions).</summary>
    public int OutputSize { get; }

    /// <summary>Encoder frames for <paramref name="frames"/> feature frames.</summary>
    public static int FramesOf(int frames) => (frames + Subsampling - 1) / Subsampling;

    /// <summary>Maps [N, T, F] features with per-utterance lengths [N] (int64) to [N, T', 2H] states and lengths [N].</summary>
    public override (Tensor States, Tensor Lengths) forward(Tensor features, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        var reduced = (lengths + (Subsampling - 1)).div(Subsampling, rounding_mode: RoundingMode.floor);
        var x = features.transpose(1, 2);
        x = functional.relu(_norm1.forward(_conv1.forward(x)));
        var mask = Mask(reduced, x.shape[2]).unsqueeze(1).to_type(x.dtype);
        x = x * mask;
        x = functional.relu(_norm2.forward(_conv2.forward(x))) * mask;
        x = x.transpose(1, 2).contiguous();
        var packed = TorchSharp.torch.nn.utils.rnn.pack_padded_sequence(x, reduced, batch_first: true, enforce_sorted: false);
        var (output, state) = _rnn.call(packed, null!);
        state.Dispose();
        var (states, _) = TorchSharp.torch.nn.utils.rnn.pad_packed_sequence(output, batch_first: true, total_length: x.shape[1]);
        output.Dispose();
        packed.Dispose();
        return (_dropout.forward(states).MoveToOuterDisposeScope(), reduced.MoveToOuterDisposeScope());
    }

    /// <summary>[N, T] booleans: true on each utterance's real frames.</summary>
    public static Tensor Mask(Tensor lengths, long frames) => arange(frames, dtype: ScalarType.Int64).unsqueeze(0) < lengths.unsqueeze(1);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _conv1.Dispose();
            _norm1.Dispose();
            _conv2.Dispose();
            _norm2.Dispose();
            _rnn.Dispose();
            _dropout.Dispose();
        }
        base.Dispose(disposing);
    }
}
