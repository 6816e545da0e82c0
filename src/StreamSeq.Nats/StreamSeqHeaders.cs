namespace StreamSeq.Nats;

/// <summary>
/// The message headers StreamSeq writes and reads on NATS: where a sample comes from and when it was taken,
/// so a worker stamps its packets with the camera's time, not the time it received them.
/// </summary>
public static class StreamSeqHeaders
{
    /// <summary>The id of the stream the sample belongs to (a camera, a file).</summary>
    public const string StreamId = "StreamSeq-Stream";

    /// <summary>The originating (capture) time of the sample, ISO 8601 UTC.</summary>
    public const string Time = "StreamSeq-Time";

    /// <summary>The sample's sequence number within its stream.</summary>
    public const string Sequence = "StreamSeq-Seq";

    /// <summary>What the body holds: <c>image/jpeg</c>, <c>image/png</c>, <c>audio/L16;rate=16000;channels=1</c>, <c>application/json</c>.</summary>
    public const string ContentType = "StreamSeq-Content-Type";

    /// <summary>
    /// For media too large for one message: where the body is instead, <c>objectstore://BUCKET/KEY</c> (the
    /// JetStream object store) or <c>file:///path</c>. The body is then empty.
    /// </summary>
    public const string Reference = "StreamSeq-Ref";

    /// <summary>The result's origin: <c>STREAM:SEQUENCE</c> of the work message it was computed from.</summary>
    public const string Origin = "StreamSeq-Origin";

    /// <summary>The worker (host and process id) that computed a result.</summary>
    public const string Worker = "StreamSeq-Worker";

    /// <summary>Why a message went to the dead-letter subject.</summary>
    public const string DeadReason = "StreamSeq-Dead-Reason";

    /// <summary>The subject a dead-lettered message was taken from.</summary>
    public const string DeadSubject = "StreamSeq-Dead-Subject";

    /// <summary>JetStream's de-duplication header (set through the publish options, listed for readers).</summary>
    public const string MsgId = "Nats-Msg-Id";
}
