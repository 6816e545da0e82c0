using StreamSeq.Core.Tests.Support;
using StreamSeq.Runtime;
using static StreamSeq.Core.Tests.Support.Pipelines;

namespace StreamSeq.Core.Tests.Stages;

/// <summary>Records joins as (primary, secondary-or-null) pairs.</summary>
[Stage("test.joined")]
public sealed class JoinedCollector : SinkStage<Joined>
{
    private readonly CollectOptions _options;

    public JoinedCollector(CollectOptions options) => _options = options;

    public override ValueTask ConsumeAsync(Packet<Joined> input, CancellationToken cancellationToken)
    {
        var values = input.Payload.Values.Values.Select(v => v is TrackedResource r ? (double?)r.Value : (double?)v).ToArray();
        Collected.Of(_options.Name).Enqueue(values);
        return ValueTask.CompletedTask;
    }
}

public class JoinStageTests
{
    private static async Task<double?[][]> Join(string joinOptions, string primaryPeriod, string secondaryPeriod, int primaryCount = 10, int secondaryCount = 40)
    {
        var name = Unique("join");
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "video", "type": "source.generator", "options": { "count": {{primaryCount}}, "period": "{{primaryPeriod}}", "start": "2026-01-01T00:00:00Z" } },
                { "id": "audio", "type": "source.generator", "options": { "count": {{secondaryCount}}, "period": "{{secondaryPeriod}}", "start": "2026-01-01T00:00:00Z" } },
                { "id": "sync", "type": "join", "inputs": { "video": "video", "audio": "audio" }, "options": {{joinOptions}} },
                { "id": "out", "type": "test.joined", "input": "sync", "options": { "name": "{{name}}" } }
              ]
            }
            """);
        Assert.True(result.Succeeded, string.Join("; ", result.Failures));
        return Collected.Of(name).Cast<double?[]>().ToArray();
    }

    [Fact]
    public async Task Exact_join_pairs_packets_with_equal_originating_times()
    {
        // video every 100 ms, audio every 25 ms: every video time has an audio packet 4 steps later.
        var pairs = await Join("""{ "mode": "exact" }""", "100ms", "25ms");
        Assert.Equal(10, pairs.Length);
        Assert.All(pairs, p => Assert.Equal(p[0] * 4, p[1]));
    }

    [Fact]
    public async Task Nearest_join_takes_the_closest_within_tolerance()
    {
        // video every 100 ms, audio every 30 ms (0, 30, 60, 90, 120, …): video 100 ms → audio 90 ms (index 3).
        var pairs = await Join("""{ "mode": "nearest", "tolerance": "15ms" }""", "100ms", "30ms");
        Assert.Equal(10, pairs.Length);
        for (var i = 0; i < pairs.Length; i++)
        {
            var expected = Math.Round(i * 100 / 30.0);
            Assert.Equal(expected, pairs[i][1]);
        }
    }

    [Fact]
    public async Task Unmatched_primaries_are_dropped_or_emitted_with_null()
    {
        // Audio ends at 270 ms: video at 0, 100 and 200 ms match (0, 90, 210 ms); from 300 ms on, nothing within 20 ms.
        var dropped = await Join("""{ "mode": "nearest", "tolerance": "20ms" }""", "100ms", "30ms", secondaryCount: 10);
        Assert.Equal(3, dropped.Length);
        var kept = await Join("""{ "mode": "nearest", "tolerance": "20ms", "emitUnmatched": true }""", "100ms", "30ms", secondaryCount: 10);
        Assert.Equal(10, kept.Length);
        Assert.All(kept.Skip(3), p => Assert.Null(p[1]));
        Assert.All(kept.Take(3), p => Assert.NotNull(p[1]));
    }

    [Fact]
    public async Task Join_releases_every_packet_it_held()
    {
        var tagA = Unique("ja");
        var tagB = Unique("jb");
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "a", "type": "test.resources", "options": { "tag": "{{tagA}}", "count": 50 } },
                { "id": "b", "type": "test.resources", "options": { "tag": "{{tagB}}", "count": 80 } },
                { "id": "sync", "type": "join", "inputs": ["a", "b"], "options": { "mode": "nearest", "tolerance": "1ms" } },
                { "id": "out", "type": "test.joined", "input": "sync", "options": { "name": "{{Unique("j")}}" } }
              ]
            }
            """);
        Assert.True(result.Succeeded);
        Assert.Equal(50, result.Stages[^1].In);
        TrackedResource.AssertAllReleased(tagA);
        TrackedResource.AssertAllReleased(tagB);
    }

    [Fact]
    public async Task A_lagging_primary_back_pressures_a_fast_secondary_instead_of_losing_its_matches()
    {
        // The primary passes through a slow stage while the secondary floods in; with a port bound of 4 the
        // join must stop reading the secondary rather than drop packets a pending primary still needs.
        var name = Unique("lag");
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "video", "type": "source.generator", "options": { "count": 20, "period": "100ms", "start": "2026-01-01T00:00:00Z" } },
                { "id": "slow", "type": "test.fail", "input": "video", "options": { "workMs": 3 } },
                { "id": "audio", "type": "source.generator", "options": { "count": 80, "period": "25ms", "start": "2026-01-01T00:00:00Z" } },
                { "id": "sync", "type": "join", "inputs": ["slow", "audio"], "options": { "mode": "exact", "maxBuffered": 4 } },
                { "id": "out", "type": "test.joined", "input": "sync", "options": { "name": "{{name}}" } }
              ]
            }
            """);
        Assert.True(result.Succeeded, string.Join("; ", result.Failures));
        var pairs = Collected.Of(name).Cast<double?[]>().ToArray();
        Assert.True(pairs.Length == 20, string.Join(" ", pairs.Select(p => $"{p[0]}:{p[1]}")) + " | " + string.Join(" ", result.Stages.Select(st => $"{st.StageId} in={st.In} out={st.Out} fail={st.Failed}")));
        Assert.All(pairs, p => Assert.Equal(p[0] * 4, p[1]));
    }

    [Fact]
    public async Task A_silent_secondary_holds_a_full_primary_only_for_the_stall_timeout()
    {
        var name = Unique("stall");
        var tag = Unique("silent");
        var run = PipelineRun.Start(Plan($$"""
            {
              "stages": [
                { "id": "video", "type": "source.generator", "options": { "count": 20, "period": "100ms" } },
                { "id": "dead", "type": "test.resources", "options": { "tag": "{{tag}}", "endless": true, "delayMs": 600000 } },
                { "id": "sync", "type": "join", "inputs": ["video", "dead"],
                  "options": { "mode": "nearest", "maxBuffered": 4, "stallTimeout": "200ms", "emitUnmatched": true } },
                { "id": "out", "type": "test.joined", "input": "sync", "options": { "name": "{{name}}" } }
              ]
            }
            """));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (Collected.Of(name).Count < 20)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {Collected.Of(name).Count} of 20 joins within 20 s");
            await Task.Delay(20);
        }
        var result = await run.StopAsync(TimeSpan.FromSeconds(5));
        Assert.True(result.Succeeded);
        Assert.All(Collected.Of(name).Cast<double?[]>(), p => Assert.Null(p[1]));
    }
}
