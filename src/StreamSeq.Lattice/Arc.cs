namespace StreamSeq.Lattice;

/// <summary>
/// The structure of one arc: from <see cref="Source"/> to <see cref="Target"/>, reading <see cref="Input"/> and
/// writing <see cref="Output"/> (equal on acceptors; <see cref="Graph.Epsilon"/> for none). The arc's weight lives
/// apart, in <see cref="Graph.Weights"/> at the same index, so a bridge can overwrite all weights in one copy.
/// </summary>
/// <param name="Source">State the arc leaves.</param>
/// <param name="Target">State the arc enters.</param>
/// <param name="Input">Input label, or <see cref="Graph.Epsilon"/>.</param>
/// <param name="Output">Output label, or <see cref="Graph.Epsilon"/>.</param>
public readonly record struct Arc(int Source, int Target, int Input, int Output);
