using TorchSharp;
using static TorchSharp.torch;

namespace StreamSeq.Learning;

/// <summary>A loss value and its gradient with respect to every input value (same layout as the input).</summary>
/// <param name="Loss">The loss.</param>
/// <param name="Gradient">d(loss)/d(input), row-major like the input tensor.</param>
public readonly record struct ExternalLossValue(double Loss, float[] Gradient);

/// <summary>
/// A torch autograd function whose forward and backward are computed outside torch: a callback gets the
/// input's values (e.g. a network's per-segment or per-frame scores), builds whatever it needs from them (a
/// lattice, composed with a target) and returns the loss with its exact gradient (for a lattice: arc
/// posteriors, by the forward–backward algorithm). The result is an ordinary scalar tensor: it can be added to
/// other losses, scaled and back-propagated through the network that made the input.
/// </summary>
public sealed class ExternalLoss : autograd.SingleTensorFunction<ExternalLoss>
{
    private const string GradientKey = "gradient";
    private const string ShapeKey = "shape";

    /// <inheritdoc />
    public override string Name => "StreamSeqExternalLoss";

    /// <summary>The loss of <paramref name="input"/> as a differentiable scalar.</summary>
    /// <param name="input">Any float32 tensor that requires grad.</param>
    /// <param name="evaluate">Loss and gradient of the input's values.</param>
    public static Tensor Of(Tensor input, Func<float[], ExternalLossValue> evaluate) => apply(input, evaluate);

    /// <inheritdoc />
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var input = (Tensor)vars[0];
        var evaluate = (Func<float[], ExternalLossValue>)vars[1];
        using var values = input.detach().contiguous();
        var result = evaluate(values.data<float>().ToArray());
        if (result.Gradient.Length != input.numel())
        {
            throw new ArgumentException($"the gradient has {result.Gradient.Length} values, the input {input.numel()}");
        }
        ctx.save_data(GradientKey, result.Gradient);
        ctx.save_data(ShapeKey, input.shape);
        return torch.tensor((float)result.Loss);
    }

    /// <inheritdoc />
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var gradient = (float[])ctx.get_data(GradientKey);
        var shape = (long[])ctx.get_data(ShapeKey);
        // One gradient per argument of apply: the callback has none.
        return [torch.tensor(gradient, shape) * grad_output, null!];
    }
}
