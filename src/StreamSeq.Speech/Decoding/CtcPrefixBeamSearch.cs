using StreamSeq.Text.LanguageModels;

namespace StreamSeq.Speech.Decoding;

/// <summary>Settings of <see cref="CtcPrefixBeamSearch"/>.</summary>
/// <param name="Width">Hypotheses kept per frame.</param>
/// <param name="NBest">Distinct transcriptions returned.</param>
/// <param name="LmWeight">Weight of the language model's log-probability (shallow fusion); unused without a model.</param>
/// <param name="TokenBonus">Added per emitted token, against the LM's preference for short outputs; unused without a model.</param>
/// <param name="PruneBelow">Classes whose frame log-probability is below this are not tried as extensions.</param>
public sealed record CtcBeamSettings(int Width = 8, int NBest = 1, double LmWeight = 0.5, double TokenBonus = 0.5, double PruneBelow = -16);

/// <summary>
/// CTC prefix beam search (Hannun et al. 2014) with an optional n-gram language model fused at every emitted
/// token. The beam holds <em>prefix states</em> — a transcription prefix together with whether its last frame
/// was blank — and merges the probabilities of alignments that reach the same state. Unpruned it computes
/// exact prefix probabilities; at width 1 it follows the single best frame path, so it equals greedy decoding.
/// </summary>
public sealed class CtcPrefixBeamSearch
{
    private readonly NGramModel? _lm;
    private readonly int[]? _lmIds;
    private readonly int _blank;
    private readonly HashSet<int> _neverEmitted;

    /// <param name="settings">Beam settings.</param>
    /// <param name="lm">A language model over the output tokens, or null.</param>
    /// <param name="lmIds">The LM id of every output class (see <see cref="LmTokens.MapVocabulary"/>); -1 for classes the LM never sees.</param>
    /// <param name="blank">The blank class.</param>
    /// <param name="neverEmitted">Classes never emitted (BOS, EOS and the like).</param>
    public CtcPrefixBeamSearch(CtcBeamSettings settings, NGramModel? lm = null, int[]? lmIds = null, int blank = 0, IEnumerable<int>? neverEmitted = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.NBest, 1);
        if (lm is not null && lmIds is null)
        {
            throw new ArgumentException("a language model needs the LM id of every class", nameof(lmIds));
        }
        Settings = settings;
        _lm = lm;
        _lmIds = lmIds;
        _blank = blank;
        _neverEmitted = [.. neverEmitted ?? []];
    }

    /// <summary>The beam settings.</summary>
    public CtcBeamSettings Settings { get; }

    internal static void CheckShape(ReadOnlySpan<float> logProbs, int frames, int classes)
    {
        if ((long)frames * classes != logProbs.Length)
        {
            throw new ArgumentException($"emissions have {logProbs.Length} values, not {frames} × {classes}", nameof(logProbs));
        }
    }

    /// <summary>Decodes T×C log-probabilities; returns up to <see cref="CtcBeamSettings.NBest"/> distinct transcriptions, best first.</summary>
    public IReadOnlyList<Hypothesis> Decode(ReadOnlySpan<float> logProbs, int frames, int classes)
    {
        CheckShape(logProbs, frames, classes);
        if (_lmIds is not null && _lmIds.Length != classes)
        {
            throw new ArgumentException($"the LM maps {_lmIds.Length} classes but the emissions have {classes}");
        }
        var root = new Prefix(null, -1, -1, 0, _lm?.BeginState ?? default, 0);
        var beam = new List<State> { new(root, EndsBlank: true, 0) };
        var next = new Dictionary<(Prefix, int, bool), Candidate>();
        var candidates = new List<Candidate>();
        var width = Settings.Width;
        for (var t = 0; t < frames; t++)
        {
            var row = logProbs.Slice(t * classes, classes);
            next.Clear();
            foreach (var state in beam)
            {
                var prefix = state.Prefix;
                Add(next, new Candidate(prefix, -1, true, state.Acoustic + row[_blank], prefix.LmLogProb, 0));
                if (prefix.Token >= 0 && !state.EndsBlank)
                {
                    Add(next, new Candidate(prefix, -1, false, state.Acoustic + row[prefix.Token], prefix.LmLogProb, 0));
                    prefix.Probability = Math.Max(prefix.Probability, Math.Exp(row[prefix.Token]));
                }
                for (var c = 0; c < classes; c++)
                {
                    if (c == _blank || row[c] < Settings.PruneBelow || _neverEmitted.Contains(c) || (c == prefix.Token && !state.EndsBlank))
                    {
                        continue;
                    }
                    // An extension that is already a node (it was in the beam before) merges with that node's
                    // states; a new one stays a (parent, token) candidate until it survives pruning, so a node
                    // is only made — and its first frame fixed — for prefixes the beam keeps.
                    Add(next, prefix.Children.TryGetValue(c, out var existing)
                        ? new Candidate(existing, -1, false, state.Acoustic + row[c], existing.LmLogProb, 0)
                        : new Candidate(prefix, c, false, state.Acoustic + row[c], prefix.LmLogProb + LmStep(prefix, c), Math.Exp(row[c])));
                }
            }
            candidates.Clear();
            candidates.AddRange(next.Values);
            if (candidates.Count > width)
            {
                candidates.Sort((a, b) => Rank(b).CompareTo(Rank(a)) is var byScore and not 0 ? byScore : a.Order(b));
                candidates.RemoveRange(width, candidates.Count - width);
            }
            beam.Clear();
            foreach (var candidate in candidates)
            {
                var prefix = candidate.Token < 0 ? candidate.Base : Extend(candidate.Base, candidate.Token, t, candidate.Probability);
                beam.Add(new State(prefix, candidate.EndsBlank, candidate.Acoustic));
            }
        }
        // A prefix's probability is the sum over the states that hold it; the LM then scores the sentence end.
        var finals = new Dictionary<Prefix, double>();
        foreach (var state in beam)
        {
            finals[state.Prefix] = finals.TryGetValue(state.Prefix, out var acoustic) ? LogAdd(acoustic, state.Acoustic) : state.Acoustic;
        }
        return [.. finals
            .Select(f => (Prefix: f.Key, Acoustic: f.Value, Score: f.Value + Fused(f.Key) + EndScore(f.Key)))
            .OrderByDescending(f => f.Score).ThenBy(f => f.Prefix.Id)
            .Take(Settings.NBest)
            .Select(f => new Hypothesis(f.Prefix.Hits(), f.Score, f.Acoustic))];
    }

    private double Rank(Candidate candidate) =>
        candidate.Acoustic + Fused(candidate.LmLogProb, candidate.Base.Length + (candidate.Token < 0 ? 0 : 1));

    private double Fused(Prefix prefix) => Fused(prefix.LmLogProb, prefix.Length);

    // Without a language model the search is purely acoustic: no weight, no bonus.
    private double Fused(double lmLogProb, int length) => _lm is null ? 0 : (Settings.LmWeight * lmLogProb) + (Settings.TokenBonus * length);

    private double LmStep(Prefix prefix, int token) =>
        _lm is null || _lmIds![token] < 0 ? 0 : _lm.Score(prefix.LmState, _lmIds[token]).LogProb;

    private double EndScore(Prefix prefix) => _lm is null ? 0 : Settings.LmWeight * _lm.Score(prefix.LmState, _lm.EndId).LogProb;

    private static void Add(Dictionary<(Prefix, int, bool), Candidate> next, Candidate candidate)
    {
        var key = (candidate.Base, candidate.Token, candidate.EndsBlank);
        next[key] = next.TryGetValue(key, out var existing)
            ? existing with { Acoustic = LogAdd(existing.Acoustic, candidate.Acoustic) }
            : candidate;
    }

    private Prefix Extend(Prefix prefix, int token, int frame, double probability)
    {
        if (prefix.Children.TryGetValue(token, out var child))
        {
            return child;
        }
        var lmLogProb = prefix.LmLogProb;
        var lmState = prefix.LmState;
        if (_lm is not null && _lmIds![token] >= 0)
        {
            var (logProb, nextState) = _lm.Score(prefix.LmState, _lmIds[token]);
            lmLogProb += logProb;
            lmState = nextState;
        }
        child = new Prefix(prefix, token, frame, lmLogProb, lmState, probability);
        prefix.Children[token] = child;
        return child;
    }

    private static double LogAdd(double a, double b)
    {
        if (double.IsNegativeInfinity(a))
        {
            return b;
        }
        var (high, low) = a >= b ? (a, b) : (b, a);
        return high + Math.Log(1 + Math.Exp(low - high));
    }

    private readonly record struct State(Prefix Prefix, bool EndsBlank, double Acoustic);

    /// <summary>A state of the next frame: <see cref="Base"/> itself (token -1) or <see cref="Base"/> extended by a token not yet a node.</summary>
    private readonly record struct Candidate(Prefix Base, int Token, bool EndsBlank, double Acoustic, double LmLogProb, double Probability)
    {
        /// <summary>A fixed order for score ties: by node creation, then token, then blank-ending first.</summary>
        public int Order(Candidate other) =>
            Base.Id != other.Base.Id ? Base.Id.CompareTo(other.Base.Id)
            : Token != other.Token ? Token.CompareTo(other.Token)
            : other.EndsBlank.CompareTo(EndsBlank);
    }

    /// <summary>A node of the prefix tree: one token appended to its parent. One node per distinct prefix.</summary>
    private sealed class Prefix
    {
        private static int s_ids;

        public Prefix(Prefix? parent, int token, int frame, double lmLogProb, LmState lmState, double probability)
        {
            Parent = parent;
            Token = token;
            Frame = frame;
            LmLogProb = lmLogProb;
            LmState = lmState;
            Probability = probability;
            Length = parent is null ? 0 : parent.Length + 1;
            Id = Interlocked.Increment(ref s_ids);
        }

        public Prefix? Parent { get; }

        public int Token { get; }

        public int Frame { get; }

        public int Length { get; }

        /// <summary>Creation order: breaks score ties the same way on every run.</summary>
        public int Id { get; }

        public double LmLogProb { get; }

        public LmState LmState { get; }

        public double Probability { get; set; }

        public Dictionary<int, Prefix> Children { get; } = [];

        public List<TokenHit> Hits()
        {
            var hits = new List<TokenHit>(Length);
            for (var p = this; p.Parent is not null; p = p.Parent)
            {
                hits.Add(new TokenHit(p.Token, p.Frame, p.Probability));
            }
            hits.Reverse();
            return hits;
        }
    }
}
