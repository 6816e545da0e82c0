using StreamSeq.Ingest;

namespace StreamSeq.Pipelines;

/// <summary>What an edge does when its consumer falls behind and the channel is full.</summary>
public enum FullMode
{
    /// <summary>The producer waits (back-pressure); right for files.</summary>
    Wait,

    /// <summary>The oldest queued packet is dropped to make room; right for live cameras.</summary>
    DropOldest,

    /// <summary>The arriving packet is dropped; the queue keeps what it has.</summary>
    DropNewest,
}

/// <summary>What a stage does when its code throws.</summary>
public enum ErrorPolicy
{
    /// <summary>The pipeline stops (drains and reports the error).</summary>
    Stop,

    /// <summary>The packet is counted as failed and dropped; the stage goes on with the next one.</summary>
    Skip,

    /// <summary>The stage instance is discarded and a new one started after a backoff.</summary>
    Restart,
}

/// <summary>Restart backoff: <c>delay × 2^(attempt-1)</c> capped at <c>maxDelay</c>, at most <c>maxAttempts</c> in a row.</summary>
public sealed record RestartPolicy(int MaxAttempts, TimeSpan Delay, TimeSpan MaxDelay)
{
    public static RestartPolicy Default { get; } = new(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30));

    /// <summary>A fresh schedule of this policy (one per supervised stage).</summary>
    public Backoff CreateBackoff() => new(Delay, MaxDelay, factor: 2, maxAttempts: MaxAttempts);
}
