using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace StreamSeq.Runtime;

/// <summary>
/// The <c>StreamSeq</c> meter: per-stage packet counters, queue depth and latency for dotnet-counters,
/// OpenTelemetry or any <see cref="MeterListener"/>. Counters are observed from <see cref="StageMetrics"/>
/// (pull), so a packet costs nothing extra when nobody listens; the latency histogram records only when enabled.
/// </summary>
public static class StreamSeqInstruments
{
    public const string MeterName = "StreamSeq";

    private static readonly ConcurrentDictionary<StageMetrics, byte> Live = new();
    private static readonly Meter Meter = new(MeterName, "1.0");

    private static readonly Histogram<double> LatencyInstrument =
        Meter.CreateHistogram<double>("streamseq.stage.latency", "ms", "Time a stage spends on one packet");

    private static long _disposeFailures;
    private static long _settleFailures;

    /// <summary>Payloads whose Dispose threw, process-wide.</summary>
    public static long DisposeFailures => Volatile.Read(ref _disposeFailures);

    /// <summary>Acknowledgement callbacks that threw, process-wide.</summary>
    public static long SettleFailures => Volatile.Read(ref _settleFailures);

    static StreamSeqInstruments()
    {
        Lease.DisposeFailed += (_, _) => Interlocked.Increment(ref _disposeFailures);
        AckToken.SettleFailed += _ => Interlocked.Increment(ref _settleFailures);
        Meter.CreateObservableCounter("streamseq.payload.dispose.failures", () => DisposeFailures, "{payload}", "Payloads whose Dispose threw");
        Meter.CreateObservableCounter("streamseq.ack.settle.failures", () => SettleFailures, "{ack}", "Acknowledgement callbacks that threw");
        Meter.CreateObservableCounter("streamseq.stage.packets.in", () => Observe(m => m.In), "{packet}", "Packets taken by a stage");
        Meter.CreateObservableCounter("streamseq.stage.packets.out", () => Observe(m => m.Out), "{packet}", "Packets emitted (sinks: handled) by a stage");
        Meter.CreateObservableCounter("streamseq.stage.packets.dropped", () => Observe(m => m.Dropped + m.Abandoned), "{packet}", "Packets dropped by full edges or abandoned at stop");
        Meter.CreateObservableCounter("streamseq.stage.packets.failed", () => Observe(m => m.Failed), "{packet}", "Packets on which a stage threw");
        Meter.CreateObservableCounter("streamseq.stage.restarts", () => Observe(m => m.Restarts), "{restart}", "Stage restarts after failures");
        Meter.CreateObservableGauge("streamseq.stage.queue.depth", () => Observe(m => m.QueueDepth()), "{packet}", "Packets waiting on a stage's inputs");
    }

    internal static void Register(StageMetrics metrics) => Live.TryAdd(metrics, 0);

    internal static void Unregister(StageMetrics metrics) => Live.TryRemove(metrics, out _);

    /// <summary>Records the time since <paramref name="startTimestamp"/>; returns it in nanoseconds.</summary>
    internal static long RecordLatency(StageMetrics metrics, long startTimestamp)
    {
        var nanos = metrics.Latency.RecordSince(startTimestamp);
        if (LatencyInstrument.Enabled)
        {
            LatencyInstrument.Record(nanos / 1e6, new TagList { { "pipeline", metrics.Pipeline }, { "stage", metrics.StageId } });
        }
        return nanos;
    }

    private static IEnumerable<Measurement<long>> Observe(Func<StageMetrics, long> read)
        => Live.Keys.Select(m => new Measurement<long>(read(m), new KeyValuePair<string, object?>("pipeline", m.Pipeline), new KeyValuePair<string, object?>("stage", m.StageId)));

    private static IEnumerable<Measurement<int>> Observe(Func<StageMetrics, int> read)
        => Live.Keys.Select(m => new Measurement<int>(read(m), new KeyValuePair<string, object?>("pipeline", m.Pipeline), new KeyValuePair<string, object?>("stage", m.StageId)));
}
