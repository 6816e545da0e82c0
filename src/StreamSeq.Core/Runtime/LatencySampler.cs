using System.Diagnostics;

namespace StreamSeq.Runtime;

/// <summary>
/// Decides which packets a stage loop times. Reading the clock costs ~40 ns here, as much as a fast stage's
/// whole work, so packets that take under 20 µs are timed one in 16; slower ones, where the clock is
/// noise, every time. Percentiles stay representative; the cost stays near 1 % of the stage's work.
/// </summary>
internal static class LatencySampler
{
    private const long SlowNanos = 20_000;
    private const int FastStride = 16;
    /// <summary>A start timestamp when this packet is to be timed, else 0.</summary>
    public static long Start(StageMetrics metrics)
    {
        ref var skip = ref metrics.Hot.SampleSkip;
        if (skip > 0)
        {
            skip--;
            return 0;
        }
        return Stopwatch.GetTimestamp();
    }

    /// <summary>Records the packet's time if it was started.</summary>
    public static void Stop(StageMetrics metrics, long started)
    {
        if (started == 0)
        {
            return;
        }
        var nanos = StreamSeqInstruments.RecordLatency(metrics, started);
        metrics.Hot.SampleSkip = nanos >= SlowNanos ? 0 : FastStride - 1;
    }
}
