using StreamSeq.Learning;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace StreamSeq.Ocr.Segmentation;

/// <summary>
/// The character classifier of the segmentation recogniser (LeNet-like): two conv–ReLU–pool blocks over a
/// 28×28 segment and two linear layers, giving log-probabilities over the characters plus one "not a
/// character" class (pieces of characters, two characters merged), the last class.
/// </summary>
public sealed class CharNet : Module<Tensor, Tensor>
{
    // Runs before the base constructor creates native modules: loads libtorch and chooses convolution kernels
    // that are right on this CPU (TorchRuntime, ConvolutionSelfCheck) before any of this network's convolutions run.
    static CharNet() => TorchRuntime.EnsureLoaded();

    private readonly Sequential _layers;

    public CharNet(int classes) : base("charnet")
    {
        _layers = Sequential(
            Conv2d(1, 16, 5, padding: 2), ReLU(), MaxPool2d(2),
            Conv2d(16, 32, 5, padding: 2), ReLU(), MaxPool2d(2),
            Flatten(), Linear(32 * 7 * 7, 96), ReLU(), Dropout(0.2), Linear(96, classes));
        RegisterComponents();
    }

    /// <summary>Maps [N, 1, 28, 28] segments to [N, classes] log-probabilities.</summary>
    public override Tensor forward(Tensor input)
    {
        using var logits = _layers.forward(input);
        return functional.log_softmax(logits, 1);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _layers.Dispose();
        }
        base.Dispose(disposing);
    }
}
