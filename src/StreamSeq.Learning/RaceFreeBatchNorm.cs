using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace StreamSeq.Learning;

/// <summary>
/// Batch normalisation over the channel dimension (torch's BatchNorm1d/2d: affine, running statistics with
/// momentum 0.1) whose batch counter is advanced with a scalar the module owns.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's BatchNorm advances <c>num_batches_tracked</c> with <c>add_(1)</c>, which builds two
/// temporary <see cref="Scalar"/>s and passes their raw handles to libtorch; a garbage collection during the call
/// can free them first, and training then dies with "For integral input tensors, argument alpha must not be a
/// floating point number" (see <see cref="RaceFreeAdam"/>). The parameters and buffers have torch's names, so
/// weights saved from either module load into the other.
/// </remarks>
public sealed class RaceFreeBatchNorm : Module<Tensor, Tensor>
{
    private readonly Parameter _weight;
    private readonly Parameter _bias;
    private readonly Tensor _runningMean;
    private readonly Tensor _runningVar;
    private readonly Tensor _batchesTracked;
    private readonly Scalar _one = 1L.ToScalar();
    private readonly int[] _ranks;
    private readonly double _momentum;
    private readonly double _eps;

    private RaceFreeBatchNorm(long features, int[] ranks, double momentum, double eps) : base(ranks.Contains(4) ? "BatchNorm2d" : "BatchNorm1d")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        (_ranks, _momentum, _eps) = (ranks, momentum, eps);
        _weight = Parameter(torch.ones(features));
        _bias = Parameter(torch.zeros(features));
        _runningMean = torch.zeros(features);
        _runningVar = torch.ones(features);
        _batchesTracked = torch.tensor(0L);
        register_parameter("weight", _weight);
        register_parameter("bias", _bias);
        register_buffer("running_mean", _runningMean);
        register_buffer("running_var", _runningVar);
        register_buffer("num_batches_tracked", _batchesTracked);
    }

    /// <summary>Over [N, C] or [N, C, L] input, like torch's BatchNorm1d.</summary>
    public static RaceFreeBatchNorm For1d(long features, double momentum = 0.1, double eps = 1e-5) => new(features, [2, 3], momentum, eps);

    /// <summary>Over [N, C, H, W] input, like torch's BatchNorm2d.</summary>
    public static RaceFreeBatchNorm For2d(long features, double momentum = 0.1, double eps = 1e-5) => new(features, [4], momentum, eps);

    public override Tensor forward(Tensor input)
    {
        if (!_ranks.Contains((int)input.Dimensions))
        {
            throw new ArgumentException($"{GetName()}: expected input of rank {string.Join(" or ", _ranks)}, got {input.Dimensions}", nameof(input));
        }
        if (training)
        {
            using var noGrad = torch.no_grad();
            _batchesTracked.add_(_one, _one);
        }
        return functional.batch_norm(input, _runningMean, _runningVar, _weight, _bias, training, _momentum, _eps);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _one.Dispose();
        }
        base.Dispose(disposing);
    }
}
