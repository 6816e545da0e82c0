using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StreamSeq.Learning;

/// <summary>How a trainer reacts to steps whose loss or gradients are not finite.</summary>
/// <param name="SkipsBeforeLowering">Non-finite steps in a row after which the learning rate is halved.</param>
/// <param name="MaxLowerings">Halvings of the rate tried before training stops.</param>
public sealed record NonFiniteSettings(int SkipsBeforeLowering = 3, int MaxLowerings = 3);

/// <summary>Training stopped because steps kept producing a non-finite loss or gradient.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);

/// <summary>
/// Takes each optimiser step only when the step's loss and gradient norm are finite, so one bad batch (or a bad
/// kernel) cannot silently turn a model into NaN. A non-finite step is skipped and counted: gradients are dropped,
/// and buffers that the forward pass updated (batch norm's running statistics) are put back to their values after
/// the last good step. After <see cref="NonFiniteSettings.SkipsBeforeLowering"/> in a row the learning rate is
/// halved for the rest of the run; if that keeps failing <see cref="NonFiniteSettings.MaxLowerings"/> times, a
/// <see cref="TrainingDivergedException"/> names the epoch, the step and the last good checkpoint.
/// </summary>
/// <remarks>Owns a copy of the module's buffers (a few kilobytes for StreamSeq's networks); dispose it with the optimiser.</remarks>
public sealed class NonFiniteGuard : IDisposable
{
    private readonly string _label;
    private readonly RaceFreeAdam _optimizer;
    private readonly NonFiniteSettings _settings;
    private readonly Tensor[] _buffers;
    private readonly Tensor[] _lastGood;
    private readonly Parameter[] _parameters;
    private int _inARow;
    private bool _disposed;

    /// <param name="label">Names the trainer in messages ("train crnn").</param>
    /// <param name="module">The module being trained (its parameters' gradients and its buffers are checked).</param>
    /// <param name="optimizer">The optimiser whose steps this guard takes.</param>
    /// <param name="settings">When to lower the rate and when to stop.</param>
    public NonFiniteGuard(string label, nn.Module module, RaceFreeAdam optimizer, NonFiniteSettings? settings = null)
    {
        _label = label;
        _optimizer = optimizer;
        _settings = settings ?? new NonFiniteSettings();
        ArgumentOutOfRangeException.ThrowIfLessThan(_settings.SkipsBeforeLowering, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(_settings.MaxLowerings);
        _parameters = [.. module.parameters()];
        _buffers = [.. module.buffers()];
        _lastGood = [.. _buffers.Select(b => b.detach().clone())];
    }

    /// <summary>Steps skipped so far.</summary>
    public int Skipped { get; private set; }

    /// <summary>Times the learning rate was halved.</summary>
    public int Lowerings { get; private set; }

    /// <summary>The factor to apply to the schedule's learning rate (1, ½, ¼…).</summary>
    public double LearningRateScale => Math.Pow(0.5, Lowerings);

    /// <summary>Where the caller last saved a checkpoint (named when training stops).</summary>
    public string? LastCheckpoint { get; set; }

    /// <summary>" skipped N" for progress lines when steps were skipped, else empty.</summary>
    public string Status => Skipped == 0 ? "" : $" skipped {Skipped}" + (Lowerings == 0 ? "" : $" lr×{LearningRateScale:0.###}");

    /// <summary>
    /// Called after <c>backward()</c>: clips the gradients to <paramref name="maxGradNorm"/> (when finite) and takes the
    /// optimiser's step if <paramref name="loss"/> and the gradient norm are finite. Returns whether it stepped.
    /// </summary>
    /// <param name="loss">The step's loss (the value the trainer reports).</param>
    /// <param name="epoch">1-based epoch, for messages.</param>
    /// <param name="step">1-based step of the run, for messages.</param>
    /// <param name="maxGradNorm">Clip the total gradient norm to this (infinity: no clipping, the norm is still checked).</param>
    /// <exception cref="TrainingDivergedException">Non-finite steps went on after the rate was lowered the allowed number of times.</exception>
    public bool TryStep(double loss, int epoch, long step, double maxGradNorm = double.PositiveInfinity)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var norm = double.IsFinite(loss) ? GradientNorm(maxGradNorm) : double.NaN;
        if (double.IsFinite(loss) && double.IsFinite(norm))
        {
            _optimizer.step();
            _inARow = 0;
            using var noGrad = torch.no_grad();
            for (var i = 0; i < _buffers.Length; i++)
            {
                _lastGood[i].copy_(_buffers[i]);
            }
            return true;
        }
        Skipped++;
        _inARow++;
        _optimizer.zero_grad();
        using (var noGrad = torch.no_grad())
        {
            for (var i = 0; i < _buffers.Length; i++)
            {
                _buffers[i].copy_(_lastGood[i]);
            }
        }
        if (_inARow % _settings.SkipsBeforeLowering == 0)
        {
            if (Lowerings >= _settings.MaxLowerings)
            {
                throw new TrainingDivergedException(
                    $"{_label}: stopped at epoch {epoch}, step {step}: the last {_inARow} steps had a non-finite " +
                    $"{(double.IsFinite(loss) ? "gradient" : "loss")} although the learning rate was halved {Lowerings} times " +
                    $"({Skipped} steps skipped in all). Last good checkpoint: {LastCheckpoint ?? "none saved in this run"}.");
            }
            Lowerings++;
        }
        return false;
    }

    private double GradientNorm(double maxGradNorm)
    {
        if (double.IsFinite(maxGradNorm))
        {
            return torch.nn.utils.clip_grad_norm_(_parameters, maxGradNorm);
        }
        using var scope = torch.NewDisposeScope();
        var squares = _parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!.square().sum()).ToList();
        return squares.Count == 0 ? 0 : torch.stack(squares).sum().sqrt().item<float>();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        foreach (var copy in _lastGood)
        {
            copy.Dispose();
        }
    }
}
