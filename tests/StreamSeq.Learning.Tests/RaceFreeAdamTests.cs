using StreamSeq.Learning;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace StreamSeq.Learning.Tests;

public sealed class RaceFreeAdamTests
{
    [Fact]
    public void It_takes_the_same_steps_as_torch_Adam_including_a_change_of_rate()
    {
        TorchRuntime.Configure(7, 1);
        using var ours = Sequential(Linear(6, 5), ReLU(), Linear(5, 3));
        using var theirs = Sequential(Linear(6, 5), ReLU(), Linear(5, 3));
        theirs.load_state_dict(ours.state_dict());
        using var start = ours.parameters().First().clone();
        using var raceFree = new RaceFreeAdam(ours.parameters(), 0.01);
        using var reference = torch.optim.Adam(theirs.parameters(), 0.01);
        for (var step = 0; step < 12; step++)
        {
            if (step == 8)
            {
                raceFree.LearningRate = 0.002;
                foreach (var group in reference.ParamGroups)
                {
                    group.LearningRate = 0.002;
                }
            }
            using var scope = NewDisposeScope();
            var input = torch.randn(4, 6);
            raceFree.zero_grad();
            ours.forward(input).pow(2).sum().backward();
            raceFree.step();
            reference.zero_grad();
            theirs.forward(input).pow(2).sum().backward();
            reference.step();
        }
        Assert.Equal(12, raceFree.Steps);
        foreach (var ((name, a), (_, b)) in ours.named_parameters().Zip(theirs.named_parameters()))
        {
            Assert.True(a.allclose(b, rtol: 1e-5, atol: 1e-7), $"{name} moved differently");
        }
        Assert.False(ours.parameters().First().allclose(start, rtol: 0, atol: 1e-3), "the steps moved the weights");
    }

    [Fact]
    public void Parameters_without_a_gradient_are_left_alone_and_bad_settings_are_refused()
    {
        TorchRuntime.Configure(8, 1);
        using var used = Linear(3, 2);
        using var unused = Linear(3, 2);
        using var optimizer = new RaceFreeAdam(used.parameters().Concat(unused.parameters()), 0.1);
        using var before = unused.weight!.clone();
        using (var scope = NewDisposeScope())
        {
            used.forward(torch.ones(1, 3)).sum().backward();
        }
        optimizer.step();
        Assert.True(unused.weight!.allclose(before, rtol: 0, atol: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RaceFreeAdam(used.parameters(), -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RaceFreeAdam(used.parameters(), 0.1, beta1: 1));
    }
}
