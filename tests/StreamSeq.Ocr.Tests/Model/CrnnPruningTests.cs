using StreamSeq.Learning;
using StreamSeq.Ocr.Data;
using StreamSeq.Ocr.Model;
using StreamSeq.Ocr.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace StreamSeq.Ocr.Tests.Model;

public sealed class CrnnPruningTests
{
    private static OcrAlphabet Digits { get; } = new("0123456789");

    [Fact]
    public void Pruning_to_the_same_size_keeps_every_weight()
    {
        TorchRuntime.Configure(3, 1);
        using var model = CrnnModel.Create(Digits, width: 4, hidden: 8, stretch: 1.25, sideMargin: 0.3);
        using var pruned = CrnnPruning.Prune(model, 4, 8);
        Assert.Equal((1.25, 0.3), (pruned.Stretch, pruned.SideMargin));
        Assert.Equal(Digits.Characters, pruned.Alphabet.Characters);
        Assert.True(LargestDifference(model, pruned, seed: 1) == 0, "same size: every weight copied in place");
    }

    [Fact]
    public void Channels_and_units_that_compute_nothing_are_the_ones_dropped_and_the_output_does_not_change()
    {
        TorchRuntime.Configure(4, 1);
        using var model = CrnnModel.Create(Digits, width: 8, hidden: 16);
        var state = model.Net.state_dict();
        using (no_grad())
        {
            // Width 8 -> 6 drops 2, 4 and 6 channels of the three conv blocks (8, 16 and 24 wide): a channel whose
            // batch-norm scale and shift are zero outputs exactly zero, whatever its input.
            int[][] silent = [[1, 6], [0, 3, 9, 15], [2, 5, 11, 12, 20, 23]];
            for (var block = 0; block < 3; block++)
            {
                foreach (var c in silent[block])
                {
                    state[$"_features.{(4 * block) + 1}.weight"][c] = 0f;
                    state[$"_features.{(4 * block) + 1}.bias"][c] = 0f;
                }
            }
            // Hidden 16 -> 13 drops 3 units per direction: a unit whose candidate ("new") gate reads nothing stays
            // at its zero start; nothing reads it either, so it is worth nothing.
            foreach (var (suffix, units, offset) in new[] { ("_l0", new[] { 2, 9, 15 }, 0), ("_l0_reverse", new[] { 0, 4, 11 }, 16) })
            {
                foreach (var j in units)
                {
                    var candidate = (2 * 16) + j;
                    state[$"_rnn.weight_ih{suffix}"][candidate] = 0f;
                    state[$"_rnn.weight_hh{suffix}"][candidate] = 0f;
                    state[$"_rnn.bias_ih{suffix}"][candidate] = 0f;
                    state[$"_rnn.bias_hh{suffix}"][candidate] = 0f;
                    state[$"_rnn.weight_hh{suffix}"][TensorIndex.Colon, j] = 0f;
                    state["_output.weight"][TensorIndex.Colon, offset + j] = 0f;
                }
            }
        }
        using var pruned = CrnnPruning.Prune(model, 6, 13);
        Assert.Equal((6, 13), (pruned.Width, pruned.Hidden));
        Assert.True(pruned.ParameterCount < model.ParameterCount);
        Assert.InRange(LargestDifference(model, pruned, seed: 2), 0, 1e-4);

        // The pruned model saves and loads at its own size.
        var folder = OcrTestSupport.TempFolder();
        try
        {
            pruned.Save(folder, new(), new());
            using var loaded = CrnnModel.Load(folder);
            Assert.Equal((6, 13), (loaded.Width, loaded.Hidden));
            Assert.InRange(LargestDifference(pruned, loaded, seed: 3), 0, 0);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Pruning_keeps_the_channels_the_next_layer_reads_most()
    {
        TorchRuntime.Configure(5, 1);
        using var model = CrnnModel.Create(Digits, width: 4, hidden: 8);
        var state = model.Net.state_dict();
        using (no_grad())
        {
            // The second conv reads first-block channel 2 ten times as strongly as the others.
            state["_features.4.weight"][TensorIndex.Colon, 2] *= 10f;
        }
        using var pruned = CrnnPruning.Prune(model, 1, 8);
        using var kept = pruned.Net.state_dict()["_features.0.weight"];
        using var expected = state["_features.0.weight"][2];
        Assert.True(kept[0].allclose(expected, rtol: 0, atol: 0), "the strongly read channel is the one kept");
    }

    [Fact]
    public void Sizes_beyond_the_source_or_below_one_are_refused()
    {
        TorchRuntime.Configure(6, 1);
        using var model = CrnnModel.Create(Digits, width: 4, hidden: 8);
        Assert.Throws<ArgumentOutOfRangeException>(() => CrnnPruning.Prune(model, 5, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => CrnnPruning.Prune(model, 4, 9));
        Assert.Throws<ArgumentOutOfRangeException>(() => CrnnPruning.Prune(model, 0, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => CrnnPruning.Prune(model, 4, 0));
    }

    /// <summary>The largest difference between two models' log-probabilities over a random batch of lines of different widths.</summary>
    private static double LargestDifference(CrnnModel a, CrnnModel b, int seed)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        torch.manual_seed(seed);
        var input = torch.rand(3, 1, CrnnNet.InputHeight, 96);
        long[] frames = [24, 17, 9];
        a.Net.eval();
        b.Net.eval();
        return (a.Net.forward(input, frames) - b.Net.forward(input, frames)).abs().max().item<float>();
    }
}
