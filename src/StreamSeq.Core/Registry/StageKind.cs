namespace StreamSeq.Registry;

/// <summary>The shape of a stage, from the base class it derives from.</summary>
public enum StageKind
{
    Source,
    Transform,
    Map,
    Sink,
    Rx,
    MultiInput,
}
