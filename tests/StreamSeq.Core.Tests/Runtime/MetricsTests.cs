using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using StreamSeq.Core.Tests.Support;
using StreamSeq.Runtime;
using static StreamSeq.Core.Tests.Support.Pipelines;

namespace StreamSeq.Core.Tests.Runtime;

public class MetricsTests
{
    [Fact]
    public async Task Stage_counters_queue_depth_and_latency_are_published_on_the_StreamSeq_meter()
    {
        var pipeline = Unique("metered");
        var longs = new ConcurrentDictionary<(string Instrument, string Stage), long>();
        var latencies = new ConcurrentBag<(string Stage, double Milliseconds)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == StreamSeqInstruments.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (Tag(tags, "pipeline") == pipeline)
            {
                longs[(instrument.Name, Tag(tags, "stage")!)] = value;
            }
        });
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) =>
        {
            if (Tag(tags, "pipeline") == pipeline)
            {
                longs[(instrument.Name, Tag(tags, "stage")!)] = value;
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (Tag(tags, "pipeline") == pipeline)
            {
                latencies.Add((Tag(tags, "stage")!, value));
            }
        });
        listener.Start();

        var run = PipelineRun.Start(Plan($$"""
            {
              "name": "{{pipeline}}",
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "count": 500 } },
                { "id": "bad", "type": "test.fail", "input": "gen", "onError": "skip", "options": { "failOn": [10, 20] } },
                { "id": "out", "type": "test.collect", "input": "bad", "capacity": 4, "options": { "name": "{{Unique("m")}}", "delayMs": 1 } }
              ]
            }
            """));
        // Observable instruments report when collected: collect while the run goes on.
        var sawQueue = false;
        while (!run.Completion.IsCompleted)
        {
            listener.RecordObservableInstruments();
            sawQueue |= longs.GetValueOrDefault(("streamseq.stage.queue.depth", "out")) > 0;
            await Task.Delay(5);
        }
        var result = await run.Completion;
        Assert.True(result.Succeeded);
        Assert.True(sawQueue, "the queue depth of the slow sink was seen above zero");
        Assert.Equal(2, longs.GetValueOrDefault(("streamseq.stage.packets.failed", "bad")));
        Assert.True(longs.GetValueOrDefault(("streamseq.stage.packets.out", "gen")) > 100);
        Assert.True(longs.GetValueOrDefault(("streamseq.stage.packets.in", "out")) > 100);
        Assert.Contains(latencies, l => l.Stage == "out" && l.Milliseconds >= 0.5);

        // A finished run is no longer observed: its counters do not linger in the meter.
        longs.Clear();
        listener.RecordObservableInstruments();
        Assert.Empty(longs);
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == key)
            {
                return tag.Value as string;
            }
        }
        return null;
    }
}
