using StreamSeq.Core.Tests.Support;
using StreamSeq.Runtime;
using static StreamSeq.Core.Tests.Support.Pipelines;

namespace StreamSeq.Core.Tests.Runtime;

public class PipelineRunTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(64)]
    public async Task Packets_flow_in_order_and_completion_reaches_every_stage(int capacity)
    {
        var name = Unique("order");
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "count": 10000 } },
                { "id": "a", "type": "passthrough", "input": "gen", "capacity": {{capacity}} },
                { "id": "b", "type": "passthrough", "input": "a" },
                { "id": "out", "type": "test.collect", "input": "b", "options": { "name": "{{name}}" } }
              ]
            }
            """);
        Assert.True(result.Succeeded);
        Assert.Equal(Enumerable.Range(0, 10000).Select(i => (double)i), Collected.Of(name).Cast<double>());
        Assert.All(result.Stages.Skip(1), s => Assert.Equal(10000, s.In));
        Assert.Equal(10000, result.Stages[^1].Out);
    }

    [Fact]
    public async Task Skip_loses_only_the_failing_packets_and_counts_them()
    {
        var name = Unique("skip");
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "count": 100 } },
                { "id": "bad", "type": "test.fail", "input": "gen", "onError": "skip", "options": { "failOn": [3, 50, 99] } },
                { "id": "out", "type": "test.collect", "input": "bad", "options": { "name": "{{name}}" } }
              ]
            }
            """);
        Assert.True(result.Succeeded);
        var expected = Enumerable.Range(0, 100).Where(i => i is not (3 or 50 or 99)).Select(i => (double)i);
        Assert.Equal(expected, Collected.Of(name).Cast<double>());
        Assert.Equal(3, result.Stages[1].Failed);
    }

    [Fact]
    public async Task Restart_replaces_the_stage_after_backoff_and_resumes()
    {
        var name = Unique("restart");
        var before = FailingMap.Instances;
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "count": 20 } },
                { "id": "bad", "type": "test.fail", "input": "gen", "onError": "restart",
                  "restart": { "maxAttempts": 3, "delay": "10ms" }, "options": { "failOn": [5, 6, 12] } },
                { "id": "out", "type": "test.collect", "input": "bad", "options": { "name": "{{name}}" } }
              ]
            }
            """);
        Assert.True(result.Succeeded);
        Assert.Equal(3, result.Stages[1].Restarts);
        Assert.Equal(3, result.Stages[1].Failed);
        Assert.True(FailingMap.Instances - before >= 4, "a new instance per restart");
        var expected = Enumerable.Range(0, 20).Where(i => i is not (5 or 6 or 12)).Select(i => (double)i);
        Assert.Equal(expected, Collected.Of(name).Cast<double>());
    }

    [Fact]
    public async Task Restart_gives_up_after_max_attempts_and_the_pipeline_fails_cleanly()
    {
        var result = await RunToEnd("""
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "count": 1000000 } },
                { "id": "bad", "type": "test.fail", "input": "gen", "onError": "restart",
                  "restart": { "maxAttempts": 2, "delay": "5ms" }, "options": { "always": true } },
                { "id": "out", "type": "sink.null", "input": "bad" }
              ]
            }
            """);
        Assert.False(result.Succeeded);
        var failure = Assert.Single(result.Failures);
        Assert.Equal("bad", failure.StageId);
        Assert.Equal(2, result.Stages[1].Restarts);
        Assert.True(result.Stages[0].Out < 1000000, "the source was told to stop");
    }

    [Fact]
    public async Task Stop_policy_fails_the_pipeline_and_another_pipeline_is_unaffected()
    {
        var name = Unique("healthy");
        var failing = PipelineRun.Start(Plan("""
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "rate": 1000 } },
                { "id": "bad", "type": "test.fail", "input": "gen", "options": { "failOn": [10] } },
                { "id": "out", "type": "sink.null", "input": "bad" }
              ]
            }
            """));
        var healthy = PipelineRun.Start(Plan($$"""
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "count": 200, "rate": 1000 } },
                { "id": "out", "type": "test.collect", "input": "gen", "options": { "name": "{{name}}" } }
              ]
            }
            """));
        var failed = await failing.Completion.WaitAsync(Generous);
        var fine = await healthy.Completion.WaitAsync(Generous);
        Assert.False(failed.Succeeded);
        Assert.Equal("bad", Assert.Single(failed.Failures).StageId);
        Assert.True(fine.Succeeded);
        Assert.Equal(200, Collected.Of(name).Count);
    }

    [Fact]
    public async Task A_stage_that_cannot_start_is_a_failure_not_a_crash()
    {
        var result = await RunToEnd("""
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "rate": 100 } },
                { "id": "bad", "type": "test.fail", "input": "gen", "options": { "failStart": true } },
                { "id": "out", "type": "sink.null", "input": "bad" }
              ]
            }
            """);
        Assert.False(result.Succeeded);
        Assert.Contains("cannot start", Assert.Single(result.Failures).Error.Message);
    }

    [Fact]
    public async Task Parallel_map_preserves_order_and_runs_packets_concurrently()
    {
        var name = Unique("parallel");
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "count": 200 } },
                { "id": "work", "type": "test.fail", "input": "gen", "parallelism": 4, "options": { "workMs": 2, "failOn": [77] }, "onError": "skip" },
                { "id": "out", "type": "test.collect", "input": "work", "options": { "name": "{{name}}" } }
              ]
            }
            """);
        Assert.True(result.Succeeded);
        Assert.Equal(Enumerable.Range(0, 200).Where(i => i != 77).Select(i => (double)i), Collected.Of(name).Cast<double>());
        Assert.Equal(1, result.Stages[1].Failed);
        // 200 packets of ~2 ms each: serially ≥ 400 ms of stage time; the histogram still records each.
        Assert.Equal(199, result.Stages[1].Latency.Count);
    }

    [Fact]
    public async Task Fan_out_shares_a_disposable_payload_and_disposes_it_once_after_every_consumer()
    {
        var tag = Unique("fanout");
        var a = Unique("a");
        var b = Unique("b");
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "src", "type": "test.resources", "options": { "tag": "{{tag}}", "count": 500 } },
                { "id": "a", "type": "test.collect", "input": "src", "options": { "name": "{{a}}" } },
                { "id": "b", "type": "test.collect", "input": "src", "options": { "name": "{{b}}", "delayMs": 1 }, "capacity": 8 }
              ]
            }
            """);
        Assert.True(result.Succeeded);
        Assert.Equal(500, Collected.Of(a).Count);
        Assert.Equal(500, Collected.Of(b).Count);
        TrackedResource.AssertAllReleased(tag);
    }

    [Fact]
    public async Task Wait_mode_slows_the_source_instead_of_growing_queues()
    {
        var tag = Unique("wait");
        var run = PipelineRun.Start(Plan($$"""
            {
              "stages": [
                { "id": "src", "type": "test.resources", "options": { "tag": "{{tag}}", "endless": true } },
                { "id": "pass", "type": "passthrough", "input": "src", "capacity": 8 },
                { "id": "slow", "type": "sink.null", "input": "pass", "capacity": 8 }
              ]
            }
            """), new PipelineRunOptions { QueueSampleInterval = TimeSpan.FromMilliseconds(5) });
        await Task.Delay(300);
        // A slow consumer is simulated by the queue bound itself: live payloads never exceed what the
        // edges and stages can hold, whatever the source's speed.
        Assert.True(TrackedResource.Live(tag) <= 8 + 8 + 4, $"live payloads: {TrackedResource.Live(tag)}");
        var result = await run.StopAsync(TimeSpan.FromSeconds(5));
        Assert.True(result.Succeeded);
        Assert.All(result.Stages, s => Assert.True(s.MaxQueueDepth <= 8));
        TrackedResource.AssertAllReleased(tag);
    }

    [Fact]
    public async Task Slow_sink_under_wait_bounds_memory_and_loses_nothing()
    {
        var tag = Unique("slow");
        var name = Unique("slow-out");
        var run = PipelineRun.Start(Plan($$"""
            {
              "stages": [
                { "id": "src", "type": "test.resources", "options": { "tag": "{{tag}}", "count": 60 } },
                { "id": "out", "type": "test.collect", "input": "src", "capacity": 4, "options": { "name": "{{name}}", "delayMs": 5 } }
              ]
            }
            """));
        var (result, maxLive) = await TrackedResource.WatchPeakAsync(run, tag);
        Assert.True(result.Succeeded);
        Assert.Equal(60, Collected.Of(name).Count);
        Assert.True(maxLive <= 4 + 2, $"at most capacity + in hand should be alive, saw {maxLive}");
        TrackedResource.AssertAllReleased(tag);
    }

    [Fact]
    public async Task Drop_oldest_keeps_memory_bounded_under_a_tenfold_overload_and_disposes_what_it_drops()
    {
        var tag = Unique("drop");
        var name = Unique("drop-out");
        // The source emits every 1 ms, the sink takes 10 ms per packet: a 10× overload.
        var run = PipelineRun.Start(Plan($$"""
            {
              "stages": [
                { "id": "src", "type": "test.resources", "options": { "tag": "{{tag}}", "count": 400, "delayMs": 1 } },
                { "id": "out", "type": "test.collect", "input": "src", "capacity": 5, "full": "drop-oldest", "options": { "name": "{{name}}", "delayMs": 10 } }
              ]
            }
            """));
        var (result, maxLive) = await TrackedResource.WatchPeakAsync(run, tag);
        Assert.True(result.Succeeded);
        var sink = result.Stages[1];
        Assert.True(maxLive <= 5 + 2, $"live payloads peaked at {maxLive}");
        Assert.True(sink.Dropped > 100, $"dropped {sink.Dropped}");
        Assert.Equal(400, sink.Dropped + Collected.Of(name).Count);
        TrackedResource.AssertAllReleased(tag);
        // The newest packets survive drop-oldest: the last one emitted reaches the sink.
        Assert.Equal(399L, Collected.Of(name).Last());
    }

    [Fact]
    public async Task Drop_newest_keeps_the_queued_packets_and_discards_arrivals()
    {
        var tag = Unique("dropnew");
        var name = Unique("dropnew-out");
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "src", "type": "test.resources", "options": { "tag": "{{tag}}", "count": 200 } },
                { "id": "out", "type": "test.collect", "input": "src", "capacity": 3, "full": "drop-newest", "options": { "name": "{{name}}", "delayMs": 2 } }
              ]
            }
            """);
        Assert.True(result.Succeeded);
        Assert.Equal(200, result.Stages[1].Dropped + Collected.Of(name).Count);
        Assert.True(result.Stages[1].Dropped > 0);
        Assert.Equal(0L, Collected.Of(name).First());
        TrackedResource.AssertAllReleased(tag);
    }

    [Fact]
    public async Task Stop_drains_in_flight_packets_to_the_sinks()
    {
        var tag = Unique("drain");
        var name = Unique("drain-out");
        var run = PipelineRun.Start(Plan($$"""
            {
              "stages": [
                { "id": "src", "type": "test.resources", "options": { "tag": "{{tag}}", "endless": true } },
                { "id": "out", "type": "test.collect", "input": "src", "capacity": 16, "options": { "name": "{{name}}", "delayMs": 1 } }
              ]
            }
            """));
        await Task.Delay(200);
        var result = await run.StopAsync(TimeSpan.FromSeconds(10));
        Assert.True(result.Succeeded);
        Assert.False(result.Aborted);
        // Everything the source emitted reached the sink: nothing was left in the queue.
        Assert.Equal(result.Stages[0].Out, Collected.Of(name).Count);
        TrackedResource.AssertAllReleased(tag);
    }

    [Fact]
    public async Task A_stage_that_ignores_cancellation_cannot_hang_the_stop()
    {
        var tag = Unique("stuck");
        var run = PipelineRun.Start(Plan($$"""
            {
              "stages": [
                { "id": "src", "type": "source.generator", "options": { "rate": 200 } },
                { "id": "stuck", "type": "test.stuck", "input": "src" },
                { "id": "out", "type": "sink.null", "input": "stuck" }
              ]
            }
            """), new PipelineRunOptions { AbortGrace = TimeSpan.FromMilliseconds(300) });
        await Task.Delay(100);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await run.StopAsync(TimeSpan.FromMilliseconds(200));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"stop took {clock.Elapsed}");
        Assert.True(result.Aborted);
        Assert.False(result.Succeeded);
        Assert.Contains(result.Failures, f => f.Error is TimeoutException && f.Error.Message.Contains("stuck"));
    }

    [Fact]
    public async Task Abort_releases_what_the_queues_still_hold()
    {
        var tag = Unique("abort");
        var run = PipelineRun.Start(Plan($$"""
            {
              "stages": [
                { "id": "src", "type": "test.resources", "options": { "tag": "{{tag}}", "endless": true } },
                { "id": "out", "type": "test.collect", "input": "src", "capacity": 32, "options": { "name": "{{Unique("x")}}", "delayMs": 1000 } }
              ]
            }
            """));
        await Task.Delay(200);
        var result = await run.StopAsync(TimeSpan.FromMilliseconds(50));
        Assert.True(result.Aborted);
        Assert.True(result.Stages[1].Abandoned > 0);
        TrackedResource.AssertAllReleased(tag);
    }
}
