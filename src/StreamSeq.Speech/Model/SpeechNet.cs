using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace StreamSeq.Speech.Model;

/// <summary>Sizes of a <see cref="SpeechNet"/>.</summary>
/// <param name="Channels">Conv channels of the encoder front-end.</param>
/// <param name="Hidden">Encoder GRU units per direction.</param>
/// <param name="Layers">Encoder GRU layers.</param>
/// <param name="DecoderSize">Attention decoder units.</param>
/// <param name="Dropout">Dropout while training.</param>
public sealed record SpeechNetSizes(int Channels = 128, int Hidden = 128, int Layers = 2, int DecoderSize = 128, double Dropout = 0.15);

/// <summary>
/// The whole recogniser network: a shared <see cref="SpeechEncoder"/>, a linear CTC head over its states
/// (class 0 = blank) and an <see cref="AttentionDecoder"/>, so one model serves both decoders and can be
/// trained jointly (Kim, Hori &amp; Watanabe 2017).
/// </summary>
public sealed class SpeechNet : Module
{
    /// <param name="features">Feature bins per frame.</param>
    /// <param name="vocabulary">Output tokens (tokenizer vocabulary, blank = 0, BOS = 1, EOS = 2).</param>
    /// <param name="sizes">Layer sizes.</param>
    public SpeechNet(int features, int vocabulary, SpeechNetSizes sizes) : base("speech")
    {
        Encoder = new SpeechEncoder(features, sizes.Channels, sizes.Hidden, sizes.Layers, sizes.Dropout);
        CtcHead = Linear(Encoder.OutputSize, vocabulary);
        Decoder = new AttentionDecoder(vocabulary, Encoder.OutputSize, sizes.DecoderSize, sizes.DecoderSize, sizes.Dropout);
        RegisterComponents();
    }

    /// <summary>The shared encoder.</summary>
    public SpeechEncoder Encoder { get; }

    /// <summary>The CTC output layer.</summary>
    public Linear CtcHead { get; }

    /// <summary>The attention decoder.</summary>
    public AttentionDecoder Decoder { get; }

    /// <summary>CTC log-probabilities [N, T', V] of encoder states.</summary>
    public Tensor CtcLogProbs(Tensor states) => functional.log_softmax(CtcHead.forward(states), 2);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Encoder.Dispose();
            CtcHead.Dispose();
            Decoder.Dispose();
        }
        base.Dispose(disposing);
    }
}
