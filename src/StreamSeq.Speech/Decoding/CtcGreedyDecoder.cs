namespace StreamSeq.Speech.Decoding;

/// <summary>Best-path CTC decoding: the arg-max class of every frame, repeats collapsed, blanks dropped.</summary>
public static class CtcGreedyDecoder
{
    /// <summary>Decodes T×C log-probabilities (row-major; class <paramref name="blank"/> is the blank).</summary>
    public static Hypothesis Decode(ReadOnlySpan<float> logProbs, int frames, int classes, int blank = 0)
    {
        CtcPrefixBeamSearch.CheckShape(logProbs, frames, classes);
        var hits = new List<TokenHit>();
        var previous = blank;
        double pathLogProb = 0;
        for (var t = 0; t < frames; t++)
        {
            var row = logProbs.Slice(t * classes, classes);
            var best = 0;
            for (var c = 1; c < classes; c++)
            {
                if (row[c] > row[best])
                {
                    best = c;
                }
            }
            pathLogProb += row[best];
            if (best != blank)
            {
                if (best != previous)
                {
                    hits.Add(new TokenHit(best, t, Math.Exp(row[best])));
                }
                else if (Math.Exp(row[best]) > hits[^1].Probability)
                {
                    hits[^1] = hits[^1] with { Probability = Math.Exp(row[best]) };
                }
            }
            previous = best;
        }
        return new Hypothesis(hits, pathLogProb, pathLogProb);
    }
}
