using System.Reactive.Concurrency;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace StreamSeq.Runtime;

/// <summary>How a pipeline run is hosted.</summary>
public sealed class PipelineRunOptions
{
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>The clock of Rx stages; tests pass a virtual-time scheduler.</summary>
    public IScheduler Scheduler { get; init; } = DefaultScheduler.Instance;

    /// <summary>How long a stop waits for in-flight packets to reach the sinks before aborting.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an abort waits for stages that ignore cancellation before giving up on them.</summary>
    public TimeSpan AbortGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often queue depths are sampled for the stats.</summary>
    public TimeSpan QueueSampleInterval { get; init; } = TimeSpan.FromMilliseconds(50);
}
