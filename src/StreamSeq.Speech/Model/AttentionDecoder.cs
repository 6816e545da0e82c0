using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace StreamSeq.Speech.Model;

/// <summary>The decoder's recurrent state between steps: the GRU state and the fed-back attentional vector.</summary>
/// <param name="Hidden">[N, D] GRU state.</param>
/// <param name="Feed">[N, D] the previous step's attentional vector (input feeding).</param>
public readonly record struct DecoderState(Tensor Hidden, Tensor Feed);

/// <summary>One decoder step's result.</summary>
/// <param name="LogProbs">[N, V] log-probabilities of the next token.</param>
/// <param name="State">The state after the step.</param>
/// <param name="Weights">[N, T] attention weights over encoder frames.</param>
public readonly record struct DecoderStep(Tensor LogProbs, DecoderState State, Tensor Weights);

/// <summary>
/// An attention decoder (Bahdanau, Cho &amp; Bengio 2015): a GRU cell reads the previous token's embedding
/// together with the previous attentional vector (input feeding, Luong et al. 2015); additive attention scores
/// every encoder state against the new GRU state; the context and the state make the attentional vector,
/// which predicts the next token. Padded encoder frames get no attention.
/// </summary>
public sealed class AttentionDecoder : Module
{
    private readonly Embedding _embedding;
    private readonly GRUCell _cell;
    private readonly Linear _initial;
    private readonly Linear _keys;
    private readonly Linear _query;
    private readonly Linear _energy;
    private readonly Linear _combine;
    private readonly Linear _output;
    private readonly Dropout _dropout;

    /// <param name="vocabulary">Output tokens.</param>
    /// <param name="encoderSize">Size of an encoder state.</param>
    /// <param name="size">Decoder GRU units and attentional vector size.</param>
    /// <param name="attentionSize">Hidden size of the additive attention.</param>
    /// <param name="dropout">Dropout on the attentional vector while training.</param>
    public AttentionDecoder(int vocabulary, int encoderSize, int size, int attentionSize, double dropout) : base("decoder")
    {
        _embedding = Embedding(vocabulary, 64);
        _cell = GRUCell(64 + size, size);
        _initial = Linear(encoderSize, size);
        _keys = Linear(encoderSize, attentionSize);
        _query = Linear(size, attentionSize, hasBias: false);
        _energy = Linear(attentionSize, 1, hasBias: false);
        _combine = Linear(size + encoderSize, size);
        _output = Linear(size, vocabulary);
        _dropout = Dropout(dropout);
        Size = size;
        RegisterComponents();
    }

    /// <summary>Decoder GRU units.</summary>
    public int Size { get; }

    /// <summary>Projects encoder states [N, T, E] to attention keys [N, T, A] once per utterance.</summary>
    public Tensor Keys(Tensor states) => _keys.forward(states);

    /// <summary>The state before the first token: from the mean of each utterance's real encoder states.</summary>
    public DecoderState Begin(Tensor states, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var weights = mask.to_type(states.dtype).unsqueeze(2);
        var mean = (states * weights).sum(1) / weights.sum(1).clamp_min(1);
        var hidden = tanh(_initial.forward(mean));
        var feed = zeros_like(hidden);
        return new DecoderState(hidden.MoveToOuterDisposeScope(), feed.MoveToOuterDisposeScope());
    }

    /// <summary>One step: the previous tokens [N] (int64) in, next-token log-probabilities out.</summary>
    public DecoderStep Step(Tensor previous, DecoderState state, Tensor states, Tensor keys, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var input = cat([_embedding.forward(previous), state.Feed], 1);
        var hidden = _cell.forward(input, state.Hidden);
        var energies = _energy.forward(tanh(keys + _query.forward(hidden).unsqueeze(1))).squeeze(2);
        energies = energies.masked_fill(mask.logical_not(), float.NegativeInfinity);
        var weights = functional.softmax(energies, 1);
        var context = bmm(weights.unsqueeze(1), states).squeeze(1);
        var attentional = tanh(_combine.forward(cat([hidden, context], 1)));
        var logProbs = functional.log_softmax(_output.forward(_dropout.forward(attentional)), 1);
        return new DecoderStep(logProbs.MoveToOuterDisposeScope(),
            new DecoderState(hidden.MoveToOuterDisposeScope(), attentional.MoveToOuterDisposeScope()),
            weights.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Teacher-forced log-probabilities [N, U, V] of targets given their previous tokens [N, U] (BOS first);
    /// padding positions of <paramref name="previous"/> may hold any token id.
    /// </summary>
    public Tensor Forward(Tensor previous, Tensor states, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var keys = Keys(states);
        var state = Begin(states, mask);
        var steps = new List<Tensor>((int)previous.shape[1]);
        for (var u = 0; u < previous.shape[1]; u++)
        {
            var step = Step(previous[.., u], state, states, keys, mask);
            steps.Add(step.LogProbs);
            state = step.State;
        }
        return stack(steps, 1).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _embedding.Dispose();
            _cell.Dispose();
            _initial.Dispose();
            _keys.Dispose();
            _query.Dispose();
            _energy.Dispose();
            _combine.Dispose();
            _output.Dispose();
            _dropout.Dispose();
        }
        base.Dispose(disposing);
    }
}
