namespace StreamSeq.Ingest;

/// <summary>How fast a source reads a file (live inputs arrive at their own pace). JSON: <c>asfast</c>, <c>realtime</c>.</summary>
public enum Pace
{
    /// <summary>As fast as decoding and back-pressure allow (files: batch processing).</summary>
    Asfast,

    /// <summary>At the media's own rate, as if it were live (a file played back like a camera or a microphone).</summary>
    Realtime,
}
