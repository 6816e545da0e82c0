using System.Text.Json.Nodes;
using StreamSeq.Audio.Features;
using StreamSeq.Learning;
using StreamSeq.Speech.Decoding;
using StreamSeq.Text.LanguageModels;
using StreamSeq.Text.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace StreamSeq.Speech.Model;

/// <summary>CTC log-probabilities of one utterance: <see cref="Frames"/> × <see cref="Classes"/>, row-major.</summary>
/// <param name="LogProbs">The values.</param>
/// <param name="Frames">Encoder frames.</param>
/// <param name="Classes">Output classes (blank = 0).</param>
public sealed record CtcEmissions(float[] LogProbs, int Frames, int Classes);

/// <summary>
/// A trained recogniser: tokenizer, feature settings, the <see cref="SpeechNet"/>, an optional character n-gram
/// LM and the grammar of its vocabulary. Turns feature matrices into <see cref="Transcript"/>s with any
/// <see cref="SpeechDecoder"/>. Utterances are decoded independently of the batch they arrive in. Owns its
/// network's tensors.
/// </summary>
public sealed class SpeechModel : IDisposable
{
    /// <summary>The model kind in <c>model.json</c>.</summary>
    public const string Kind = "speech.ctc-attention";

    [ThreadStatic]
    private static FeatureExtractor? t_extractor;

    private readonly int _tensorCount;
    private readonly Lazy<CtcLatticeDecoder> _grammarDecoder;
    private bool _disposed;

    private SpeechModel(TextTokenizer tokenizer, SpeechNetSizes sizes, NGramModel? lm, GrammarSpec? grammar, Checkpoint? checkpoint)
    {
        TorchRuntime.EnsureLoaded();
        Tokenizer = tokenizer;
        Sizes = sizes;
        Lm = lm;
        LmIds = lm is null ? null : LmTokens.MapVocabulary(tokenizer, lm);
        Grammar = grammar;
        Checkpoint = checkpoint;
        Net = new SpeechNet(Features.OutputBins, tokenizer.VocabularySize, sizes);
        _tensorCount = Net.parameters().Count() + Net.buffers().Count();
        TensorLedger.Add(_tensorCount);
        _grammarDecoder = new(() => new CtcLatticeDecoder(Classes,
            Grammar?.Build(Tokenizer) ?? throw new InvalidOperationException("the model has no grammar")));
    }

    /// <summary>Feature extraction: 40 log-mel bins, 25 ms frames every 10 ms at 16 kHz, normalised per utterance.</summary>
    public static FeatureOptions Features { get; } = new() { SampleRate = 16000, Kind = FeatureKind.LogMel, MelBins = 40 };

    /// <summary>The sample rate the model hears; other rates are resampled on the way in.</summary>
    public static int SampleRate => Features.SampleRate;

    /// <summary>Seconds per encoder frame (the unit of CTC timing).</summary>
    public static double FrameSeconds => Features.FrameShift.TotalSeconds * SpeechEncoder.Subsampling;

    public TextTokenizer Tokenizer { get; }

    public SpeechNetSizes Sizes { get; }

    public SpeechNet Net { get; }

    /// <summary>Character n-gram LM for beam search fusion, if the model has one.</summary>
    public NGramModel? Lm { get; }

    /// <summary>The LM id of every tokenizer id.</summary>
    public int[]? LmIds { get; }

    /// <summary>What transcriptions the vocabulary allows (for <see cref="SpeechDecoder.CtcGrammar"/>).</summary>
    public GrammarSpec? Grammar { get; }

    /// <summary>What the model was loaded from, if it was.</summary>
    public Checkpoint? Checkpoint { get; }

    /// <summary>Output classes.</summary>
    public int Classes => Tokenizer.VocabularySize;

    /// <summary>Number of trainable values.</summary>
    public long ParameterCount => Net.parameters().Sum(p => p.numel());

    /// <summary>A freshly initialised model (weights from torch's seeded generator).</summary>
    public static SpeechModel Create(TextTokenizer tokenizer, SpeechNetSizes? sizes = null, NGramModel? lm = null, GrammarSpec? grammar = null) =>
        new(tokenizer, sizes ?? new SpeechNetSizes(), lm, grammar, null);

    /// <summary>Loads a model folder written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">model.json is not a speech model or the files do not match it.</exception>
    public static SpeechModel Load(string folder)
    {
        var checkpoint = Checkpoint.Load(folder, Kind);
        var s = checkpoint.Settings;
        var sizes = new SpeechNetSizes(
            s["channels"]?.GetValue<int>() ?? 128, s["hidden"]?.GetValue<int>() ?? 128, s["layers"]?.GetValue<int>() ?? 2,
            s["decoderSize"]?.GetValue<int>() ?? 128, s["dropout"]?.GetValue<double>() ?? 0.15);
        var tokenizer = TextTokenizer.Load(Path.Combine(folder, "tokenizer.json"));
        var lmPath = Path.Combine(folder, "lm.arpa");
        var lm = File.Exists(lmPath) ? ArpaFormat.Read(lmPath) : null;
        var grammar = s["grammar"] is JsonObject g ? GrammarSpec.FromJson(g) : null;
        var model = new SpeechModel(tokenizer, sizes, lm, grammar, checkpoint);
        ModelWeights.Load(folder, model, (model.Net, "speech.pt"));
        return model;
    }

    /// <summary>Writes weights, tokenizer, LM and <c>model.json</c>.</summary>
    public void Save(string folder, JsonObject training, JsonObject metrics)
    {
        Directory.CreateDirectory(folder);
        Net.save(Path.Combine(folder, "speech.pt"));
        Tokenizer.Save(Path.Combine(folder, "tokenizer.json"));
        if (Lm is not null)
        {
            ArpaFormat.Write(Lm, Path.Combine(folder, "lm.arpa"));
        }
        new Checkpoint
        {
            Kind = Kind,
            Classes = Tokenizer.Vocabulary,
            Settings = new JsonObject
            {
                ["channels"] = Sizes.Channels,
                ["hidden"] = Sizes.Hidden,
                ["layers"] = Sizes.Layers,
                ["decoderSize"] = Sizes.DecoderSize,
                ["dropout"] = Sizes.Dropout,
                ["tokens"] = Tokenizer.Kind,
                ["features"] = $"log-mel {Features.MelBins} bins, {Features.FrameLength.TotalMilliseconds} ms frames every {Features.FrameShift.TotalMilliseconds} ms at {Features.SampleRate} Hz, pre-emphasis {Features.PreEmphasis}, Hamming, mean/variance normalised per utterance",
                ["encoderFrameSeconds"] = FrameSeconds,
                ["lm"] = Lm is null ? null : $"lm.arpa: character {Lm.Order}-gram, modified Kneser-Ney",
                ["grammar"] = Grammar?.ToJson(),
                ["loss"] = "CTC (blank = 0) and attention cross-entropy, weighted",
            },
            Training = training,
            Metrics = metrics,
        }.Save(folder);
    }

    /// <summary>Features of mono audio at <see cref="SampleRate"/>, normalised per utterance.</summary>
    public static FeatureMatrix Featurize(ReadOnlySpan<float> samples)
    {
        // An extractor holds its FFT, filterbank and work buffers: one per thread, made once, not per utterance
        // (a live stream featurises every partial event).
        var features = (t_extractor ??= new FeatureExtractor(Features)).Extract(samples);
        FeatureNormalizer.NormalizeUtterance(features);
        return features;
    }

    /// <summary>A [N, T, F] batch (zero-padded) and its lengths.</summary>
    internal static (Tensor Batch, Tensor Lengths) Batch(IReadOnlyList<FeatureMatrix> utterances)
    {
        var bins = utterances[0].Bins;
        var frames = utterances.Max(u => u.Frames);
        var buffer = new float[utterances.Count * frames * bins];
        for (var i = 0; i < utterances.Count; i++)
        {
            utterances[i].Data.AsSpan(0, utterances[i].Frames * bins).CopyTo(buffer.AsSpan(i * frames * bins));
        }
        return (torch.tensor(buffer, [utterances.Count, frames, bins]), torch.tensor(utterances.Select(u => (long)u.Frames).ToArray()));
    }

    /// <summary>CTC log-probabilities of each utterance (batched; the same as one at a time).</summary>
    public IReadOnlyList<CtcEmissions> Emissions(IReadOnlyList<FeatureMatrix> utterances) =>
        Run(utterances, (states, lengths, i) => CtcOf(states, lengths, i));

    /// <summary>Transcribes each utterance's features. Utterances shorter than one encoder frame read as empty.</summary>
    public IReadOnlyList<Transcript> Transcribe(IReadOnlyList<FeatureMatrix> utterances, SpeechDecoding decoding)
    {
        ArgumentNullException.ThrowIfNull(decoding);
        var name = decoding.Name(Lm is not null);
        var usable = utterances.Select((u, i) => (u, i)).Where(x => x.u.Frames >= 1).ToList();
        var results = new Transcript[utterances.Count];
        foreach (var (u, i) in utterances.Select((u, i) => (u, i)).Where(x => x.u.Frames < 1))
        {
            results[i] = new Transcript { Text = "", Decoder = name, NoTranscript = "the audio is shorter than one feature frame (25 ms)" };
        }
        if (usable.Count > 0)
        {
            var decoded = Run([.. usable.Select(x => x.u)], (states, lengths, i) => Decode(states, lengths, i, decoding, name));
            for (var k = 0; k < usable.Count; k++)
            {
                results[usable[k].i] = decoded[k];
            }
        }
        return results;
    }

    private IReadOnlyList<T> Run<T>(IReadOnlyList<FeatureMatrix> utterances, Func<Tensor, long[], int, T> perUtterance)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (utterances.Count == 0)
        {
            return [];
        }
        return TensorLedger.Measure(() =>
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            Net.eval();
            var (batch, lengths) = Batch(utterances);
            var (states, encoded) = Net.Encoder.forward(batch, lengths);
            var frames = encoded.data<long>().ToArray();
            var result = new T[utterances.Count];
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = perUtterance(states, frames, i);
            }
            return (IReadOnlyList<T>)result;
        });
    }

    private CtcEmissions CtcOf(Tensor states, long[] frames, int i)
    {
        using var scope = torch.NewDisposeScope();
        var t = (int)frames[i];
        var logProbs = Net.CtcLogProbs(states[i, ..t].unsqueeze(0));
        return new CtcEmissions(logProbs.contiguous().data<float>().ToArray(), t, Classes);
    }

    private Transcript Decode(Tensor states, long[] frames, int i, SpeechDecoding decoding, string name)
    {
        IReadOnlyList<Hypothesis> hypotheses;
        string? noPath = null;
        switch (decoding.Decoder)
        {
            case SpeechDecoder.AttentionGreedy:
            case SpeechDecoder.AttentionBeam:
            case SpeechDecoder.JointBeam:
                var joint = decoding.Decoder == SpeechDecoder.JointBeam;
                using (var scope = torch.NewDisposeScope())
                {
                    var utterance = states[i, ..(int)frames[i]].unsqueeze(0);
                    hypotheses = decoding.Decoder == SpeechDecoder.AttentionGreedy
                        ? [AttentionSearch.Greedy(Net.Decoder, utterance, MaxTokens((int)frames[i]))]
                        : AttentionSearch.Beam(Net.Decoder, utterance, MaxTokens((int)frames[i]), decoding.BeamSize,
                            joint ? Math.Max(decoding.NBest, decoding.BeamSize) : decoding.NBest, decoding.LengthPenalty);
                }
                if (joint)
                {
                    hypotheses = RescoreWithCtc(hypotheses, CtcOf(states, frames, i), decoding);
                }
                break;
            default:
                var emissions = CtcOf(states, frames, i);
                (hypotheses, noPath) = DecodeCtc(emissions, decoding);
                break;
        }
        return noPath is not null
            ? new Transcript { Text = "", Decoder = name, NoTranscript = noPath }
            : ToTranscript(hypotheses, name, decoding.NBest > 1);
    }

    /// <summary>
    /// Joint CTC/attention rescoring: each attention hypothesis gets (1 − λ)·log P_att + λ·log P_CTC (the CTC
    /// probability summed over all alignments, by the forward algorithm on the lattice), divided by the length
    /// penalty. CTC's monotonic alignment vetoes the attention decoder's typical errors: repeated or dropped words.
    /// </summary>
    private IReadOnlyList<Hypothesis> RescoreWithCtc(IReadOnlyList<Hypothesis> hypotheses, CtcEmissions emissions, SpeechDecoding decoding)
    {
        var scores = Array.ConvertAll(emissions.LogProbs, v => (double)v);
        var rescored = new List<Hypothesis>(hypotheses.Count);
        foreach (var hypothesis in hypotheses)
        {
            var labels = hypothesis.Tokens.Select(t => t.Token).ToArray();
            var ctc = -StreamSeq.Lattice.Ctc.Loss(scores, emissions.Frames, emissions.Classes, labels, SpecialTokens.BlankId).Loss;
            if (double.IsFinite(ctc))
            {
                var joint = ((1 - decoding.CtcWeight) * hypothesis.ModelLogProb) + (decoding.CtcWeight * ctc);
                rescored.Add(hypothesis with { Score = joint / AttentionSearch.Penalty(labels.Length + 1, decoding.LengthPenalty) });
            }
        }
        return rescored.Count == 0 ? hypotheses.Take(decoding.NBest).ToList()
            : [.. rescored.OrderByDescending(h => h.Score).Take(decoding.NBest)];
    }

    /// <summary>Decodes CTC emissions with a CTC decoder (greedy, beam with the LM, or grammar).</summary>
    public (IReadOnlyList<Hypothesis> Hypotheses, string? NoPath) DecodeCtc(CtcEmissions emissions, SpeechDecoding decoding)
    {
        switch (decoding.Decoder)
        {
            case SpeechDecoder.CtcGreedy:
                return ([CtcGreedyDecoder.Decode(emissions.LogProbs, emissions.Frames, emissions.Classes)], null);
            case SpeechDecoder.CtcGrammar:
                var (best, noPath) = _grammarDecoder.Value.Decode(emissions.LogProbs, emissions.Frames);
                return best is null ? ([], noPath) : ([best], null);
            case SpeechDecoder.CtcBeam:
                var useLm = Lm is not null && decoding.LmWeight > 0;
                var search = new CtcPrefixBeamSearch(
                    new CtcBeamSettings(decoding.BeamSize, decoding.NBest, decoding.LmWeight, decoding.TokenBonus),
                    useLm ? Lm : null, useLm ? LmIds : null, SpecialTokens.BlankId,
                    [SpecialTokens.BosId, SpecialTokens.EosId, SpecialTokens.UnkId]);
                return (search.Decode(emissions.LogProbs, emissions.Frames, emissions.Classes), null);
            default:
                throw new ArgumentException($"{decoding.Decoder} is not a CTC decoder", nameof(decoding));
        }
    }

    /// <summary>The CTC lattice of an utterance (input: frame labels, output: tokens), optionally under the grammar.</summary>
    public StreamSeq.Lattice.Graph Lattice(CtcEmissions emissions, bool grammar = false) =>
        (grammar ? _grammarDecoder.Value : new CtcLatticeDecoder(Classes)).Lattice(emissions.LogProbs, emissions.Frames);

    private static int MaxTokens(int frames) => Math.Min(400, frames + 4);

    /// <summary>Turns decoder hypotheses (best first) into a transcript with word times and confidences.</summary>
    public Transcript ToTranscript(IReadOnlyList<Hypothesis> hypotheses, string decoder, bool nbest)
    {
        if (hypotheses.Count == 0)
        {
            return new Transcript { Text = "", Decoder = decoder, NoTranscript = "the decoder found no hypothesis" };
        }
        var best = hypotheses[0];
        var words = Words(best.Tokens);
        var confidence = best.Tokens.Count == 0 ? 0 : Math.Exp(best.Tokens.Average(h => Math.Log(Math.Max(h.Probability, 1e-12))));
        return new Transcript
        {
            Text = TextOf(best),
            Confidence = Math.Round(confidence, 4),
            Words = words,
            // Token sequences that differ only in spacing read the same: the first (best) of them stands.
            NBest = nbest ? [.. hypotheses.Select(h => new TranscriptAlternative(TextOf(h), Math.Round(h.Score, 3))).DistinctBy(a => a.Text)] : null,
            Decoder = decoder,
        };
    }

    private string TextOf(Hypothesis hypothesis) => Tokenizer.Decode([.. hypothesis.Tokens.Select(t => t.Token)]).Trim();

    private List<TranscriptWord> Words(IReadOnlyList<TokenHit> hits)
    {
        var words = new List<TranscriptWord>();
        var space = Tokenizer.Kind == "char" ? Tokenizer.IdOf(" ") : null;
        var current = new List<TokenHit>();
        void Flush()
        {
            if (current.Count > 0)
            {
                var text = Tokenizer.Decode([.. current.Select(h => h.Token)]).Trim();
                if (text.Length > 0)
                {
                    var confidence = Math.Exp(current.Average(h => Math.Log(Math.Max(h.Probability, 1e-12))));
                    words.Add(new TranscriptWord(text, Math.Round(current[0].Frame * FrameSeconds, 3),
                        Math.Round((current[^1].Frame + 1) * FrameSeconds, 3), Math.Round(confidence, 4)));
                }
                current.Clear();
            }
        }
        foreach (var hit in hits)
        {
            if (space is not null && hit.Token == space)
            {
                Flush();
                continue;
            }
            current.Add(hit);
            if (space is null)
            {
                Flush();
            }
        }
        Flush();
        return words;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        Net.Dispose();
        TensorLedger.Add(-_tensorCount);
    }
}
