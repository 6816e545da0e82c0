using TorchSharp;
using static TorchSharp.torch;

namespace StreamSeq.Ocr.Model;

/// <summary>
/// Structured pruning of a trained <see cref="CrnnModel"/> into a narrower one (fewer conv channels, fewer GRU
/// units) that starts from the wide model's most useful channels and units, so a short fine-tuning recovers its
/// accuracy where training the narrow model from scratch would take as long as the wide one did.
/// </summary>
/// <remarks>
/// Which channels are kept is decided from the weights alone, no data: a conv channel's worth is its batch-norm
/// scale times the norm of the weights the next layer reads it with (a channel the next layer ignores, or one
/// its norm flattens, carries little); a GRU unit's worth is the norm of the weights that read its state, in the
/// output layer and in its own direction's recurrence. Kept channels and units stay in their original order.
/// A unit or channel whose output is exactly zero is always dropped before any other, and dropping it changes
/// nothing the network computes.
/// </remarks>
public static class CrnnPruning
{
    /// <summary>
    /// A new model of <paramref name="width"/> first-layer channels and <paramref name="hidden"/> GRU units per
    /// direction, with <paramref name="source"/>'s alphabet and preparation and its most useful weights.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1 or above the source's.</exception>
    public static CrnnModel Prune(CrnnModel source, int width, int hidden)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, source.Width);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hidden, source.Hidden);
        var pruned = CrnnModel.Create(source.Alphabet, width, hidden, source.Stretch, source.SideMargin);
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var from = source.Net.state_dict();
            var to = pruned.Net.state_dict();
            var rows = CrnnNet.InputHeight / 8;

            // Conv blocks: Sequential children 0, 4, 8 are the convs, 1, 5, 9 their batch norms.
            long[] previous = [0];
            for (var block = 0; block < 3; block++)
            {
                var conv = $"_features.{4 * block}";
                var norm = $"_features.{(4 * block) + 1}";
                var scale = from[$"{norm}.weight"].abs();
                // How strongly the next layer reads each output channel: the next conv's input slices, or for
                // the last block the project layer's columns (channel c feeds columns c*rows .. c*rows+rows-1).
                var read = block < 2
                    ? from[$"_features.{4 * (block + 1)}.weight"].pow(2).sum([0, 2, 3]).sqrt()
                    : from["_project.weight"].pow(2).reshape(from["_project.weight"].shape[0], -1, rows).sum([0, 2]).sqrt();
                var keep = Strongest(scale * read, (block + 1) * width);
                var keepIndex = torch.tensor(keep);
                to[$"{conv}.weight"].copy_(from[$"{conv}.weight"].index_select(0, keepIndex).index_select(1, torch.tensor(previous)));
                to[$"{conv}.bias"].copy_(from[$"{conv}.bias"].index_select(0, keepIndex));
                foreach (var name in new[] { "weight", "bias", "running_mean", "running_var" })
                {
                    to[$"{norm}.{name}"].copy_(from[$"{norm}.{name}"].index_select(0, keepIndex));
                }
                to[$"{norm}.num_batches_tracked"].copy_(from[$"{norm}.num_batches_tracked"]);
                previous = keep;
            }
            var columns = previous.SelectMany(c => Enumerable.Range(0, rows).Select(r => (c * rows) + r)).ToArray();
            to["_project.weight"].copy_(from["_project.weight"].index_select(1, torch.tensor(columns)));
            to["_project.bias"].copy_(from["_project.bias"]);

            // GRU: each direction's weight_ih/weight_hh/biases stack the reset, update and new gates, H rows each.
            var units = source.Hidden;
            var output = from["_output.weight"];
            var outputColumns = new List<long>();
            foreach (var (suffix, offset) in new[] { ("_l0", 0), ("_l0_reverse", units) })
            {
                var recurrent = from[$"_rnn.weight_hh{suffix}"];
                var worth = output.narrow(1, offset, units).pow(2).sum([0L]) + recurrent.pow(2).sum([0L]);
                var keep = Strongest(worth, hidden);
                var gateRows = torch.tensor(Enumerable.Range(0, 3).SelectMany(g => keep.Select(j => (g * units) + j)).ToArray());
                to[$"_rnn.weight_ih{suffix}"].copy_(from[$"_rnn.weight_ih{suffix}"].index_select(0, gateRows));
                to[$"_rnn.weight_hh{suffix}"].copy_(recurrent.index_select(0, gateRows).index_select(1, torch.tensor(keep)));
                to[$"_rnn.bias_ih{suffix}"].copy_(from[$"_rnn.bias_ih{suffix}"].index_select(0, gateRows));
                to[$"_rnn.bias_hh{suffix}"].copy_(from[$"_rnn.bias_hh{suffix}"].index_select(0, gateRows));
                outputColumns.AddRange(keep.Select(j => j + offset));
            }
            to["_output.weight"].copy_(output.index_select(1, torch.tensor(outputColumns.ToArray())));
            to["_output.bias"].copy_(from["_output.bias"]);
            pruned.Net.eval();
            return pruned;
        }
        catch
        {
            pruned.Dispose();
            throw;
        }
    }

    /// <summary>Indices of the <paramref name="count"/> largest values, ascending (ties keep the lower index).</summary>
    private static long[] Strongest(Tensor worth, int count)
    {
        var values = worth.to_type(ScalarType.Float64).data<double>().ToArray();
        return [.. Enumerable.Range(0, values.Length).OrderByDescending(i => values[i]).ThenBy(i => i).Take(count).Order().Select(i => (long)i)];
    }
}
