using StreamSeq.Learning;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace StreamSeq.Learning.Tests;

public sealed class NonFiniteGuardTests
{
    /// <summary>A small net with a batch norm, so a poisoned forward pass also poisons running statistics.</summary>
    private static Sequential Net() => Sequential(Linear(4, 6), RaceFreeBatchNorm.For1d(6), ReLU(), Linear(6, 2));

    /// <summary>One training step on <paramref name="input"/>; returns whether the guard took it.</summary>
    private static bool Step(Sequential net, RaceFreeAdam optimizer, NonFiniteGuard guard, Tensor input, int step)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var loss = net.forward(input).square().mean();
        loss.backward();
        return guard.TryStep(loss.item<float>(), 1, step, maxGradNorm: 5.0);
    }

    [Fact]
    public void A_non_finite_step_is_skipped_and_leaves_weights_and_running_statistics_as_they_were()
    {
        TorchRuntime.Configure(3, 1);
        using var net = Net();
        net.train();
        using var optimizer = new RaceFreeAdam(net.parameters(), 0.01);
        using var guard = new NonFiniteGuard("test", net, optimizer);
        using var good = torch.randn(8, 4);
        Assert.True(Step(net, optimizer, guard, good, 1));
        var before = net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        using var poisoned = good.clone();
        poisoned[0, 0] = float.NaN;
        Assert.False(Step(net, optimizer, guard, poisoned, 2));

        Assert.Equal(1, guard.Skipped);
        Assert.Equal(1, optimizer.Steps);
        foreach (var (name, value) in net.state_dict())
        {
            Assert.True(value.isfinite().all().item<bool>(), $"{name} is not finite after a skipped step");
            Assert.True(value.eq(before[name]).all().item<bool>(), $"{name} changed in a skipped step");
        }
        Assert.Equal(" skipped 1", guard.Status);

        // A finite step afterwards trains as usual.
        Assert.True(Step(net, optimizer, guard, good, 3));
        Assert.Equal(2, optimizer.Steps);
        foreach (var copy in before.Values)
        {
            copy.Dispose();
        }
    }

    [Fact]
    public void Non_finite_steps_in_a_row_lower_the_rate_and_then_stop_naming_epoch_step_and_checkpoint()
    {
        TorchRuntime.Configure(4, 1);
        using var net = Net();
        net.train();
        using var optimizer = new RaceFreeAdam(net.parameters(), 0.01);
        using var guard = new NonFiniteGuard("train test", net, optimizer, new NonFiniteSettings(SkipsBeforeLowering: 2, MaxLowerings: 2));
        guard.LastCheckpoint = "models/x (after epoch 1)";
        using var poisoned = torch.full(8, 4, float.PositiveInfinity);

        Assert.False(Step(net, optimizer, guard, poisoned, 1));
        Assert.Equal(1.0, guard.LearningRateScale);
        Assert.False(Step(net, optimizer, guard, poisoned, 2));
        Assert.Equal(0.5, guard.LearningRateScale);
        Assert.False(Step(net, optimizer, guard, poisoned, 3));
        Assert.False(Step(net, optimizer, guard, poisoned, 4));
        Assert.Equal(0.25, guard.LearningRateScale);
        Assert.False(Step(net, optimizer, guard, poisoned, 5));
        var stop = Assert.Throws<TrainingDivergedException>(() => Step(net, optimizer, guard, poisoned, 6));

        Assert.Contains("train test", stop.Message);
        Assert.Contains("epoch 1, step 6", stop.Message);
        Assert.Contains("models/x (after epoch 1)", stop.Message);
        Assert.Equal(0, optimizer.Steps);
    }

    [Fact]
    public void A_non_finite_gradient_with_a_finite_loss_is_skipped_too()
    {
        TorchRuntime.Configure(5, 1);
        using var net = Net();
        net.train();
        using var optimizer = new RaceFreeAdam(net.parameters(), 0.01);
        using var guard = new NonFiniteGuard("test", net, optimizer);
        using (var scope = NewDisposeScope())
        {
            optimizer.zero_grad();
            var loss = net.forward(torch.randn(8, 4)).square().mean();
            loss.backward();
            using var grad = net.parameters().First().grad!;
            grad[0, 0] = float.NaN;
            Assert.False(guard.TryStep(loss.item<float>(), 1, 1, maxGradNorm: 5.0));
        }
        Assert.Equal(1, guard.Skipped);
        Assert.Equal(0, optimizer.Steps);
    }
}
