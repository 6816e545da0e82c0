using System.Reactive.Concurrency;
using System.Reactive.Subjects;
using StreamSeq.Core.Tests.Support;
using StreamSeq.Runtime;
using StreamSeq.Stages;
using static StreamSeq.Core.Tests.Support.Pipelines;

namespace StreamSeq.Core.Tests.Stages;

/// <summary>Rx stage logic on virtual time (no sleeps), plus one run through the engine's bridge each.</summary>
public class RxStageTests
{
    private static readonly DateTime Epoch = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static Packet<TrackedResource> Resource(string tag, long value, double seconds)
    {
        var payload = new TrackedResource(tag, value);
        return new Packet<TrackedResource>(payload, Epoch.AddSeconds(seconds), value, "test", Lease.Create(payload, null));
    }

    [Fact]
    public void Sample_emits_the_latest_packet_per_interval_on_virtual_time_and_releases_the_superseded()
    {
        var tag = Unique("sample");
        var scheduler = new HistoricalScheduler(Epoch);
        var input = new Subject<Packet<TrackedResource>>();
        var stage = new SampleStage<TrackedResource>(new SampleOptions { Interval = TimeSpan.FromSeconds(1) });
        var emitted = new List<long>();
        using var subscription = stage.Build([input], scheduler).Subscribe(p =>
        {
            emitted.Add(p.Payload.Value);
            p.Release();
        });

        void Push(long value)
        {
            var packet = Resource(tag, value, value);
            input.OnNext(packet);
            packet.Release(); // the engine's share ends when OnNext returns
        }

        Push(1);
        Push(2);
        scheduler.AdvanceBy(TimeSpan.FromSeconds(1));
        scheduler.AdvanceBy(TimeSpan.FromSeconds(1)); // nothing new: nothing emitted
        Push(3);
        Push(4);
        Push(5);
        scheduler.AdvanceBy(TimeSpan.FromSeconds(1));
        Push(6);
        input.OnCompleted(); // emitLast
        Assert.Equal([2, 5, 6], emitted);
        TrackedResource.AssertAllReleased(tag);
    }

    [Fact]
    public void Sample_disposed_mid_stream_releases_what_it_holds()
    {
        var tag = Unique("sample-dispose");
        var input = new Subject<Packet<TrackedResource>>();
        var stage = new SampleStage<TrackedResource>(new SampleOptions { Interval = TimeSpan.FromSeconds(1) });
        var subscription = stage.Build([input], new HistoricalScheduler(Epoch)).Subscribe(p => p.Release());
        var packet = Resource(tag, 1, 0);
        input.OnNext(packet);
        packet.Release();
        Assert.Equal(1, TrackedResource.Live(tag));
        subscription.Dispose();
        TrackedResource.AssertAllReleased(tag);
    }

    [Fact]
    public void Throttle_keeps_the_first_packet_of_each_interval_of_originating_time()
    {
        var tag = Unique("throttle");
        var input = new Subject<Packet<TrackedResource>>();
        var stage = new ThrottleStage<TrackedResource>(new ThrottleOptions { Interval = TimeSpan.FromSeconds(1) });
        var emitted = new List<long>();
        using var subscription = stage.Build([input], ImmediateScheduler.Instance).Subscribe(p =>
        {
            emitted.Add(p.Payload.Value);
            p.Release();
        });
        foreach (var (value, seconds) in new[] { (0L, 0.0), (1, 0.4), (2, 0.99), (3, 1.0), (4, 1.5), (5, 3.2), (6, 4.1), (7, 4.2) })
        {
            var packet = Resource(tag, value, seconds);
            input.OnNext(packet);
            packet.Release();
        }
        // 6 at 4.1 s is 0.9 s after 5: too soon; 7 at 4.2 s is a full second after 5.
        Assert.Equal([0, 3, 5, 7], emitted);
        TrackedResource.AssertAllReleased(tag);
    }

    [Fact]
    public async Task Throttle_and_sample_run_behind_the_engines_bridge()
    {
        var throttled = Unique("throttled");
        var sampled = Unique("sampled");
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "count": 1000, "period": "10ms" } },
                { "id": "thr", "type": "throttle", "input": "gen", "options": { "interval": "1s" } },
                { "id": "smp", "type": "sample", "input": "gen", "options": { "interval": "20ms" } },
                { "id": "a", "type": "test.collect", "input": "thr", "options": { "name": "{{throttled}}" } },
                { "id": "b", "type": "test.collect", "input": "smp", "options": { "name": "{{sampled}}" } }
              ]
            }
            """);
        Assert.True(result.Succeeded);
        // 1000 packets 10 ms apart in originating time: one per second passes, whatever the run's speed.
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * 100.0), Collected.Of(throttled).Cast<double>());
        var samples = Collected.Of(sampled).Cast<double>().ToList();
        Assert.NotEmpty(samples);
        Assert.Equal(999.0, samples[^1]);
        Assert.Equal(samples.Order(), samples);
    }

    [Fact]
    public async Task Merge_interleaves_every_packet_of_every_input()
    {
        var name = Unique("merge");
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "a", "type": "source.generator", "options": { "count": 300 } },
                { "id": "b", "type": "source.generator", "options": { "count": 200, "mode": "counter" } },
                { "id": "both", "type": "merge", "inputs": ["a", "b"] },
                { "id": "out", "type": "test.collect", "input": "both", "options": { "name": "{{name}}" } }
              ]
            }
            """);
        Assert.True(result.Succeeded);
        var values = Collected.Of(name).Cast<double>().ToList();
        Assert.Equal(500, values.Count);
        Assert.Equal(Enumerable.Range(0, 300).Concat(Enumerable.Range(0, 200)).Select(i => (double)i).Order(), values.Order());
    }
}
