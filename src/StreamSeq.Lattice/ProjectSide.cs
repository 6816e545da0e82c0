namespace StreamSeq.Lattice;

/// <summary>Which label of a transducer arc an operation looks at.</summary>
public enum ProjectSide
{
    /// <summary>The input label.</summary>
    Input,

    /// <summary>The output label.</summary>
    Output,
}
