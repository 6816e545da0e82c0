using System.Diagnostics;
using System.Numerics;

namespace StreamSeq.Runtime;

/// <summary>
/// A lock-free histogram of durations with quarter-octave buckets (about ±9 % resolution) from 1 ns to
/// hours: cheap enough to record every packet, precise enough for p50/p99 in the stats table.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBuckets = 4;
    private readonly long[] _buckets = new long[64 * SubBuckets];
    private long _count;
    private long _totalNanos;

    private static readonly double NanosPerTick = 1e9 / Stopwatch.Frequency;

    public long Count => Volatile.Read(ref _count);

    /// <summary>Records the time since <paramref name="startTimestamp"/> (a <see cref="Stopwatch.GetTimestamp"/> value); returns it in nanoseconds.</summary>
    public long RecordSince(long startTimestamp)
    {
        var nanos = (long)((Stopwatch.GetTimestamp() - startTimestamp) * NanosPerTick);
        Record(nanos);
        return nanos;
    }

    public void Record(long nanos)
    {
        Interlocked.Increment(ref _buckets[BucketOf(Math.Max(1, nanos))]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _totalNanos, nanos);
    }

    /// <summary>The mean in milliseconds.</summary>
    public double MeanMilliseconds => Count == 0 ? 0 : Volatile.Read(ref _totalNanos) / (double)Count / 1e6;

    /// <summary>The value below which <paramref name="quantile"/> of the records fall, in milliseconds (bucket midpoint).</summary>
    public double PercentileMilliseconds(double quantile)
    {
        var total = Count;
        if (total == 0)
        {
            return 0;
        }
        var rank = (long)Math.Ceiling(quantile * total);
        long seen = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            seen += Volatile.Read(ref _buckets[i]);
            if (seen >= Math.Max(1, rank))
            {
                return (LowerBound(i) + LowerBound(i + 1)) / 2.0 / 1e6;
            }
        }
        return LowerBound(_buckets.Length) / 1e6;
    }

    private static int BucketOf(long nanos)
    {
        var octave = BitOperations.Log2((ulong)nanos);
        var fraction = octave >= 2 ? (int)((nanos >> (octave - 2)) & 3) : 0;
        return Math.Min(octave * SubBuckets + fraction, 64 * SubBuckets - 1);
    }

    private static double LowerBound(int bucket)
    {
        var octave = bucket / SubBuckets;
        var fraction = bucket % SubBuckets;
        return Math.Pow(2, octave) * (1 + fraction / (double)SubBuckets);
    }
}
