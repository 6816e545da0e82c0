namespace StreamSeq;

/// <summary>How the packets that descend from one source packet ended. Ordered from best to worst:
/// when shares of one packet end differently, the worst outcome is reported.</summary>
public enum AckOutcome
{
    /// <summary>Every consumer handled its share.</summary>
    Completed = 0,

    /// <summary>At least one share was dropped by a full edge or abandoned at shutdown.</summary>
    Dropped = 1,

    /// <summary>At least one stage failed while handling a share (and skipped it).</summary>
    Failed = 2,
}
