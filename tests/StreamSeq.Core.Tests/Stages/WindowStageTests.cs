using StreamSeq.Core.Tests.Support;
using StreamSeq.Runtime;
using StreamSeq.Stages;
using static StreamSeq.Core.Tests.Support.Pipelines;

namespace StreamSeq.Core.Tests.Stages;

/// <summary>A sink that records windows as lists of their values.</summary>
[Stage("test.windows")]
public sealed class WindowCollector : SinkStage<Window<double>>
{
    private readonly CollectOptions _options;

    public WindowCollector(CollectOptions options) => _options = options;

    public override ValueTask ConsumeAsync(Packet<Window<double>> input, CancellationToken cancellationToken)
    {
        Collected.Of(_options.Name).Enqueue(input.Payload.Items.ToArray());
        return ValueTask.CompletedTask;
    }
}

public class WindowStageTests
{
    private static async Task<double[][]> Windows(string windowStage, int count = 10, string period = "100ms")
    {
        var name = Unique("win");
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "count": {{count}}, "period": "{{period}}" } },
                { "id": "win", {{windowStage}}, "input": "gen" },
                { "id": "out", "type": "test.windows", "input": "win", "options": { "name": "{{name}}" } }
              ]
            }
            """);
        Assert.True(result.Succeeded, string.Join("; ", result.Failures));
        return Collected.Of(name).Cast<double[]>().ToArray();
    }

    [Fact]
    public async Task Sliding_count_windows_overlap_by_size_minus_hop()
    {
        var windows = await Windows("""
            "type": "window.sliding", "options": { "size": 4, "hop": 2 }
            """);
        Assert.Equal([[0, 1, 2, 3], [2, 3, 4, 5], [4, 5, 6, 7], [6, 7, 8, 9]], windows);
    }

    [Fact]
    public async Task Sliding_count_windows_can_emit_the_partial_tail()
    {
        var windows = await Windows("""
            "type": "window.sliding", "options": { "size": 4, "hop": 3, "emitPartial": true }
            """);
        Assert.Equal([[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]], windows);
        var small = await Windows("""
            "type": "window.sliding", "options": { "size": 4, "hop": 4, "emitPartial": true }
            """, count: 6);
        Assert.Equal([[0, 1, 2, 3], [4, 5]], small);
    }

    [Fact]
    public async Task Tumbling_count_windows_do_not_overlap()
    {
        var windows = await Windows("""
            "type": "window.tumbling", "options": { "size": 3 }
            """);
        Assert.Equal([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]], windows);
    }

    [Fact]
    public async Task Time_windows_follow_originating_time_not_arrival()
    {
        // Packets every 100 ms of originating time, emitted as fast as possible: 1 s windows hold 10.
        var windows = await Windows("""
            "type": "window.tumbling", "options": { "duration": "1s", "emitPartial": false }
            """, count: 35);
        // Windows are aligned to multiples of their duration, so the first one may be partial.
        Assert.True(windows.Length >= 2);
        Assert.All(windows.Skip(1), w => Assert.Equal(10, w.Length));
        Assert.All(windows, w => Assert.Equal(w[0] + w.Length - 1, w[^1]));
    }

    [Fact]
    public async Task Sliding_time_windows_overlap()
    {
        var windows = await Windows("""
            "type": "window.sliding", "options": { "duration": "400ms", "every": "200ms" }
            """, count: 20);
        Assert.True(windows.Length >= 8);
        var full = windows.Where(w => w.Length == 4).ToArray();
        Assert.True(full.Length >= 7);
        // Consecutive full windows start 2 packets apart.
        for (var i = 1; i < full.Length; i++)
        {
            Assert.Equal(full[i - 1][0] + 2, full[i][0]);
        }
    }

    [Fact]
    public async Task Windows_release_their_members_exactly_when_consumed()
    {
        var tag = Unique("winres");
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "src", "type": "test.resources", "options": { "tag": "{{tag}}", "count": 100 } },
                { "id": "win", "type": "window.sliding", "input": "src", "options": { "size": 5, "hop": 2, "emitPartial": true } },
                { "id": "a", "type": "sink.null", "input": "win" },
                { "id": "b", "type": "sink.null", "input": "win", "capacity": 1 }
              ]
            }
            """);
        Assert.True(result.Succeeded);
        TrackedResource.AssertAllReleased(tag);
    }

    [Fact]
    public async Task Window_stats_summarise_each_window()
    {
        var name = Unique("stats");
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "count": 6 } },
                { "id": "win", "type": "window.tumbling", "input": "gen", "options": { "size": 3 } },
                { "id": "stats", "type": "window.stats", "input": "win" },
                { "id": "out", "type": "test.collect", "input": "stats", "options": { "name": "{{name}}" } }
              ]
            }
            """);
        Assert.True(result.Succeeded);
        var stats = Collected.Of(name).Cast<WindowStats>().ToArray();
        Assert.Equal(2, stats.Length);
        Assert.Equal((3, 1.0, 0.0, 2.0), (stats[0].Count, stats[0].Mean, stats[0].Min, stats[0].Max));
        Assert.Equal(Math.Sqrt(2.0 / 3), stats[1].StdDev, 9);
    }
}

public class RxBridgeTests
{
    [Fact]
    public async Task A_slow_consumer_back_pressures_an_rx_stage_instead_of_growing_its_output()
    {
        var tag = Unique("bridge");
        var run = PipelineRun.Start(Plan($$"""
            {
              "stages": [
                { "id": "src", "type": "test.resources", "options": { "tag": "{{tag}}", "count": 300 } },
                { "id": "win", "type": "window.tumbling", "input": "src", "capacity": 4, "options": { "size": 2 } },
                { "id": "out", "type": "test.collect", "input": "win", "capacity": 2, "options": { "name": "{{Unique("b")}}", "delayMs": 2 } }
              ]
            }
            """));
        var (result, maxLive) = await TrackedResource.WatchPeakAsync(run, tag);
        Assert.True(result.Succeeded);
        Assert.Equal(150, result.Stages[^1].In);
        // Edges, the query's held members and its bounded outbox: a few dozen at most, never the whole stream.
        Assert.True(maxLive <= 40, $"live payloads peaked at {maxLive}");
        TrackedResource.AssertAllReleased(tag);
    }
}

public class TimeWindowJumpTests
{
    [Fact]
    public async Task A_day_long_gap_in_originating_time_does_not_close_every_empty_window_in_between()
    {
        var name = Unique("jump");
        // Two packets a day apart with 1 ms windows: 86 million empty windows between them.
        var result = await PipelineRun.Start(Plan($$"""
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "count": 2, "period": "1.00:00:00", "start": "2026-01-01T00:00:00Z" } },
                { "id": "win", "type": "window.tumbling", "input": "gen", "options": { "duration": "1ms" } },
                { "id": "out", "type": "test.windows", "input": "win", "options": { "name": "{{name}}" } }
              ]
            }
            """)).Completion.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(result.Succeeded);
        Assert.Equal([[0.0], [1.0]], Collected.Of(name).Cast<double[]>());
    }
}
