using StreamSeq.Lattice;
using StreamSeq.Learning;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace StreamSeq.Speech.Tests.Training;

/// <summary>
/// The lattice library's losses train torch networks through <see cref="ExternalLoss"/>: CTC computed on the
/// lattice (emissions ∩ target, forward algorithm) must back-propagate exactly what torch's own CTC does.
/// </summary>
public sealed class LatticeAutogradTests
{
    [Fact]
    public void Lattice_ctc_through_the_autograd_function_matches_torch_ctc_loss_and_its_gradient()
    {
        TorchRuntime.Configure(5, 1);
        const int frames = 12, classes = 5;
        int[] labels = [1, 3, 3, 2];
        using var scope = NewDisposeScope();
        var logits = randn(frames, classes).requires_grad_(true);
        var logProbs = functional.log_softmax(logits, 1);
        var lattice = ExternalLoss.Of(logProbs, values =>
        {
            var scores = Array.ConvertAll(values, v => (double)v);
            var ctc = Ctc.Loss(scores, frames, classes, labels, blank: 0);
            return new ExternalLossValue(ctc.Loss, Array.ConvertAll(ctc.Gradient, g => (float)g));
        });
        lattice.backward();
        var latticeGradient = logits.grad!.data<float>().ToArray();
        var latticeLoss = lattice.item<float>();

        var logits2 = logits.detach().clone().requires_grad_(true);
        var torchLoss = functional.ctc_loss(functional.log_softmax(logits2, 1).unsqueeze(1), tensor(labels.Select(l => (long)l).ToArray()).unsqueeze(0),
            tensor(new long[] { frames }), tensor(new long[] { labels.Length }), blank: 0, reduction: Reduction.Sum);
        torchLoss.backward();
        var torchGradient = logits2.grad!.data<float>().ToArray();

        Assert.Equal(torchLoss.item<float>(), latticeLoss, 3);
        for (var i = 0; i < torchGradient.Length; i++)
        {
            Assert.Equal(torchGradient[i], latticeGradient[i], 3);
        }
    }

    [Fact]
    public void A_gradient_of_the_wrong_size_is_refused()
    {
        using var scope = NewDisposeScope();
        var input = randn(3, 4).requires_grad_(true);
        Assert.ThrowsAny<Exception>(() => ExternalLoss.Of(input, _ => new ExternalLossValue(1, new float[5])));
    }
}
