using System.Runtime.InteropServices;

namespace StreamSeq.Runtime;

/// <summary>
/// The counters a stage loop writes on every packet, padded to their own cache lines: stage loops run on
/// different cores, and counters of neighbouring stages sharing a line would bounce it between them.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 192)]
internal struct HotCounters
{
    [FieldOffset(64)]
    public long In;

    [FieldOffset(72)]
    public long Out;

    [FieldOffset(80)]
    public long NextSequence;

    [FieldOffset(88)]
    public int SampleSkip;
}

/// <summary>
/// Counters of one running stage. <c>In</c> and <c>Out</c> are written by the stage's own loop only and read
/// by anyone; drops come from producers' threads and use interlocked adds.
/// </summary>
public sealed class StageMetrics
{
    internal HotCounters Hot;
    private long _dropped;
    private long _failed;
    private long _restarts;
    private long _abandoned;
    private int _maxQueueDepth;

    public StageMetrics(string pipeline, string stageId, string stageType)
    {
        Pipeline = pipeline;
        StageId = stageId;
        StageType = stageType;
    }

    public string Pipeline { get; }

    public string StageId { get; }

    public string StageType { get; }

    /// <summary>Packets taken from the input edges.</summary>
    public long In => Volatile.Read(ref Hot.In);

    /// <summary>Packets emitted (sinks: packets handled).</summary>
    public long Out => Volatile.Read(ref Hot.Out);

    /// <summary>Packets dropped by this stage's full input edges (<c>drop-oldest</c>/<c>drop-newest</c>).</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>Packets on which the stage threw.</summary>
    public long Failed => Volatile.Read(ref _failed);

    /// <summary>Times the stage instance was replaced after a failure.</summary>
    public long Restarts => Volatile.Read(ref _restarts);

    /// <summary>Packets left in the input edges when the stage stopped (failure or abort), released unprocessed.</summary>
    public long Abandoned => Volatile.Read(ref _abandoned);

    /// <summary>Largest input queue depth seen by the sampler.</summary>
    public int MaxQueueDepth => Volatile.Read(ref _maxQueueDepth);

    /// <summary>Processing time per packet.</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>Reads the current depth of the input edges.</summary>
    public Func<int> QueueDepth { get; internal set; } = static () => 0;

    internal void CountIn() => Hot.In++;

    internal void CountOut() => Hot.Out++;

    /// <summary>For loops that read several inputs on several threads (joins, merges).</summary>
    internal void CountInShared() => Interlocked.Increment(ref Hot.In);

    internal void CountDropped() => Interlocked.Increment(ref _dropped);

    internal void CountFailed() => Interlocked.Increment(ref _failed);

    internal void CountRestart() => Interlocked.Increment(ref _restarts);

    internal void CountAbandoned(long count) => Interlocked.Add(ref _abandoned, count);

    internal void SampleQueueDepth()
    {
        var depth = QueueDepth();
        if (depth > _maxQueueDepth)
        {
            Volatile.Write(ref _maxQueueDepth, depth);
        }
    }
}
