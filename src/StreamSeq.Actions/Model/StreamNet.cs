using StreamSeq.Learning;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace StreamSeq.Actions.Model;

/// <summary>
/// One stream of the two-stream network: three conv–batch-norm–ReLU–max-pool blocks over a
/// <see cref="ClipFeatures.Side"/>² grid, then dropout and a linear classifier. The spatial stream feeds it
/// one gray frame (1 channel); the temporal stream a stack of L flow fields (2L channels: dx, dy per step).
/// </summary>
public sealed class StreamNet : Module<Tensor, Tensor>
{
    // Runs before the base constructor creates native modules: loads libtorch and chooses convolution kernels
    // that are right on this CPU (TorchRuntime, ConvolutionSelfCheck) before any of this network's convolutions run.
    static StreamNet() => TorchRuntime.EnsureLoaded();

    private readonly Sequential _features;
    private readonly Sequential _classifier;

    public StreamNet(string name, int inputChannels, int classes, int width = 16) : base(name)
    {
        InputChannels = inputChannels;
        _features = Sequential(
            Conv2d(inputChannels, width, 3, padding: 1), RaceFreeBatchNorm.For2d(width), ReLU(), MaxPool2d(2),
            Conv2d(width, 2 * width, 3, padding: 1), RaceFreeBatchNorm.For2d(2 * width), ReLU(), MaxPool2d(2),
            Conv2d(2 * width, 4 * width, 3, padding: 1), RaceFreeBatchNorm.For2d(4 * width), ReLU(), MaxPool2d(2));
        var cells = ClipFeatures.Side / 8;
        _classifier = Sequential(Flatten(), Dropout(0.3), Linear(4 * width * cells * cells, classes));
        RegisterComponents();
    }

    /// <summary>Channels the network expects.</summary>
    public int InputChannels { get; }

    /// <summary>Maps a batch [N, C, Side, Side] to class logits [N, classes].</summary>
    public override Tensor forward(Tensor input)
    {
        using var features = _features.forward(input);
        return _classifier.forward(features);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _features.Dispose();
            _classifier.Dispose();
        }
        base.Dispose(disposing);
    }
}
