using StreamSeq.Speech.Model;
using StreamSeq.Text.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace StreamSeq.Speech.Decoding;

/// <summary>
/// Decoding with the attention decoder, one utterance at a time (so results never depend on a batch):
/// greedy arg-max, and beam search with the GNMT length penalty ((5 + |Y|) / 6)^α and n-best output. A
/// hypothesis ends when it emits EOS and leaves the beam, which shrinks; the search stops when no live
/// hypothesis is left or the finished ones already beat every live one. At width 1 the one hypothesis is
/// greedy's, step for step.
/// </summary>
public static class AttentionSearch
{
    /// <summary>Arg-max decoding of one utterance's encoder states [1, T, E].</summary>
    public static Hypothesis Greedy(AttentionDecoder decoder, Tensor states, int maxTokens)
    {
        using var scope = NewDisposeScope();
        var mask = ones(1, states.shape[1], dtype: ScalarType.Bool);
        var keys = decoder.Keys(states);
        var state = decoder.Begin(states, mask);
        var previous = tensor(new long[] { SpecialTokens.BosId });
        var hits = new List<TokenHit>();
        double total = 0;
        for (var step = 0; step < maxTokens; step++)
        {
            using var stepScope = NewDisposeScope();
            var result = decoder.Step(previous, state, states, keys, mask);
            var row = result.LogProbs[0].data<float>().ToArray();
            var token = ArgMax(row);
            total += row[token];
            if (token == SpecialTokens.EosId)
            {
                break;
            }
            hits.Add(new TokenHit(token, (int)result.Weights[0].argmax().item<long>(), Math.Exp(row[token])));
            previous = tensor(new long[] { token }).MoveToOuterDisposeScope();
            state = new DecoderState(result.State.Hidden.MoveToOuterDisposeScope(), result.State.Feed.MoveToOuterDisposeScope());
        }
        return new Hypothesis(hits, total, total);
    }

    /// <summary>Beam search over one utterance's encoder states [1, T, E]; up to <paramref name="nbest"/> hypotheses, best first.</summary>
    public static IReadOnlyList<Hypothesis> Beam(AttentionDecoder decoder, Tensor states, int maxTokens, int width, int nbest, double lengthPenalty)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        using var scope = NewDisposeScope();
        var frames = states.shape[1];
        var mask = ones(1, frames, dtype: ScalarType.Bool);
        var keys = decoder.Keys(states);
        var state = decoder.Begin(states, mask);
        var alive = new List<(List<TokenHit> Hits, double Score)> { ([], 0) };
        var finished = new List<(List<TokenHit> Hits, double Score, double Normalized)>();
        var previous = tensor(new long[] { SpecialTokens.BosId });
        for (var step = 0; step < maxTokens && alive.Count > 0 && !Done(finished, alive, width, lengthPenalty); step++)
        {
            using var stepScope = NewDisposeScope();
            var k = alive.Count;
            var expandedStates = states.expand(k, frames, states.shape[2]);
            var result = decoder.Step(previous, state, expandedStates, keys.expand(k, frames, keys.shape[2]), mask.expand(k, frames));
            var vocabulary = (int)result.LogProbs.shape[1];
            var logProbs = result.LogProbs.contiguous().data<float>().ToArray();
            var focus = result.Weights.argmax(1).data<long>().ToArray();
            var candidates = new List<(int Parent, int Token, double Score)>(k * vocabulary);
            for (var i = 0; i < k; i++)
            {
                for (var v = 0; v < vocabulary; v++)
                {
                    if (v is SpecialTokens.BlankId or SpecialTokens.BosId)
                    {
                        continue;
                    }
                    candidates.Add((i, v, alive[i].Score + logProbs[(i * vocabulary) + v]));
                }
            }
            candidates.Sort((a, b) => b.Score.CompareTo(a.Score) is var c and not 0 ? c : (a.Parent, a.Token).CompareTo((b.Parent, b.Token)));
            var nextAlive = new List<(List<TokenHit>, double)>();
            var parents = new List<long>();
            var tokens = new List<long>();
            foreach (var (parent, token, score) in candidates.Take(width))
            {
                if (token == SpecialTokens.EosId)
                {
                    var hits = alive[parent].Hits;
                    finished.Add((hits, score, score / Penalty(hits.Count + 1, lengthPenalty)));
                    continue;
                }
                var extended = new List<TokenHit>(alive[parent].Hits) { new(token, (int)focus[parent], Math.Exp(logProbs[(parent * vocabulary) + token])) };
                nextAlive.Add((extended, score));
                parents.Add(parent);
                tokens.Add(token);
            }
            alive = nextAlive;
            if (alive.Count > 0)
            {
                var index = tensor(parents.ToArray());
                state = new DecoderState(result.State.Hidden.index_select(0, index).MoveToOuterDisposeScope(), result.State.Feed.index_select(0, index).MoveToOuterDisposeScope());
                previous = tensor(tokens.ToArray()).MoveToOuterDisposeScope();
            }
        }
        if (finished.Count < nbest)
        {
            // Too few hypotheses ended within the token limit: the best unfinished ones fill the list.
            finished.AddRange(alive.OrderByDescending(a => a.Score).Take(nbest - finished.Count)
                .Select(a => (a.Hits, a.Score, a.Score / Penalty(a.Hits.Count, lengthPenalty))));
        }
        return [.. finished.OrderByDescending(f => f.Normalized).Take(nbest).Select(f => new Hypothesis(f.Hits, f.Normalized, f.Score))];
    }

    /// <summary>
    /// Whether the search can stop before every hypothesis has ended: it holds <paramref name="width"/> finished
    /// hypotheses and the worst of the best <paramref name="width"/> already beats every live one as scored now
    /// (a live hypothesis only loses probability with each token, though the length penalty forgives some).
    /// </summary>
    private static bool Done(List<(List<TokenHit> Hits, double Score, double Normalized)> finished, List<(List<TokenHit> Hits, double Score)> alive, int width, double lengthPenalty)
    {
        if (finished.Count < width)
        {
            return false;
        }
        var worstKept = finished.Select(f => f.Normalized).OrderDescending().ElementAt(width - 1);
        var bestAlive = alive.Max(a => a.Score / Penalty(a.Hits.Count + 1, lengthPenalty));
        return worstKept >= bestAlive;
    }

    /// <summary>The GNMT length penalty.</summary>
    public static double Penalty(int length, double alpha) => Math.Pow((5.0 + length) / 6.0, alpha);

    /// <summary>The best token other than blank and BOS, which the decoder never emits (the beam skips them too).</summary>
    private static int ArgMax(float[] row)
    {
        var best = SpecialTokens.EosId;
        for (var v = best + 1; v < row.Length; v++)
        {
            if (row[v] > row[best])
            {
                best = v;
            }
        }
        return best;
    }
}
