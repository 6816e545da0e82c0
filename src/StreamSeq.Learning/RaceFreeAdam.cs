using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StreamSeq.Learning;

/// <summary>
/// Adam (Kingma &amp; Ba 2015, torch's formulation without weight decay or AMSGrad) whose scalar arguments live
/// until every native call that reads them has returned.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's <c>torch.optim.Adam</c> turns each double it passes to libtorch into a temporary
/// <see cref="Scalar"/> and hands over only the raw handle. Nothing keeps the temporary alive during the call, so
/// a garbage collection on another thread (the fresh-line generator, say) can finalize it and free the native
/// scalar while libtorch reads it. Hours-long training runs then died with "a Scalar that would not convert to
/// float" or, in batch norm's counter, "argument alpha must not be a floating point number". Here every scalar is
/// either a field (alive as long as the optimizer) or a <c>using</c> local disposed after its last call.
/// </remarks>
public sealed class RaceFreeAdam : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly Tensor[] _mean;
    private readonly Tensor[] _square;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly Scalar _beta1Scalar;
    private readonly Scalar _beta2Scalar;
    private readonly Scalar _oneMinusBeta1;
    private readonly Scalar _oneMinusBeta2;
    private readonly Scalar _eps;
    private readonly Scalar _one;
    private long _steps;
    private bool _disposed;

    /// <param name="parameters">What to optimise.</param>
    /// <param name="learningRate">The step size (<see cref="LearningRate"/> may change it between steps).</param>
    /// <param name="beta1">Decay of the gradient's running mean.</param>
    /// <param name="beta2">Decay of the squared gradient's running mean.</param>
    /// <param name="eps">Added to the denominator.</param>
    public RaceFreeAdam(IEnumerable<Parameter> parameters, double learningRate, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(learningRate);
        if (beta1 is < 0 or >= 1 || beta2 is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(beta1), "betas are in [0, 1)");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(eps);
        _parameters = [.. parameters];
        _mean = [.. _parameters.Select(p => torch.zeros_like(p))];
        _square = [.. _parameters.Select(p => torch.zeros_like(p))];
        LearningRate = learningRate;
        (_beta1, _beta2) = (beta1, beta2);
        _beta1Scalar = beta1.ToScalar();
        _beta2Scalar = beta2.ToScalar();
        _oneMinusBeta1 = (1 - beta1).ToScalar();
        _oneMinusBeta2 = (1 - beta2).ToScalar();
        _eps = eps.ToScalar();
        _one = 1.ToScalar();
    }

    /// <summary>The step size of the next steps.</summary>
    public double LearningRate { get; set; }

    /// <summary>Steps taken.</summary>
    public long Steps => _steps;

    /// <summary>Zeroes every parameter's gradient.</summary>
    public void zero_grad()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var parameter in _parameters)
        {
            using var grad = parameter.grad;
            grad?.zero_();
        }
    }

    /// <summary>One update from the gradients now held by the parameters (parameters without one are left alone).</summary>
    public void step()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _steps++;
        var correction1 = 1 - Math.Pow(_beta1, _steps);
        var correction2 = 1 - Math.Pow(_beta2, _steps);
        using var stepSize = (-LearningRate / correction1).ToScalar();
        using var root2 = Math.Sqrt(correction2).ToScalar();
        using var noGrad = torch.no_grad();
        for (var i = 0; i < _parameters.Length; i++)
        {
            using var grad = _parameters[i].grad;
            if (grad is null)
            {
                continue;
            }
            _mean[i].mul_(_beta1Scalar).add_(grad, _oneMinusBeta1);
            _square[i].mul_(_beta2Scalar).addcmul_(grad, grad, _oneMinusBeta2);
            using var denominator = _square[i].sqrt();
            denominator.div_(root2).add_(_eps, _one);
            _parameters[i].addcdiv_(_mean[i], denominator, stepSize);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        foreach (var tensor in _mean.Concat(_square))
        {
            tensor.Dispose();
        }
        foreach (var scalar in new[] { _beta1Scalar, _beta2Scalar, _oneMinusBeta1, _oneMinusBeta2, _eps, _one })
        {
            scalar.Dispose();
        }
    }
}
