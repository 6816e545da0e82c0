using StreamSeq.Core.Tests.Support;
using StreamSeq.Runtime;
using static StreamSeq.Core.Tests.Support.Pipelines;

namespace StreamSeq.Core.Tests.Runtime;

public class AcknowledgementTests
{
    [Fact]
    public async Task The_ack_fires_once_after_every_sink_downstream_handled_the_packet()
    {
        var acks = Unique("acks");
        var slowName = Unique("slow");
        var run = PipelineRun.Start(Plan($$"""
            {
              "stages": [
                { "id": "src", "type": "test.acked", "options": { "name": "{{acks}}", "count": 50 } },
                { "id": "pass", "type": "passthrough", "input": "src" },
                { "id": "fast", "type": "sink.null", "input": "pass" },
                { "id": "slow", "type": "test.collect", "input": "src", "options": { "name": "{{slowName}}", "delayMs": 2 } }
              ]
            }
            """));
        var result = await run.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(result.Succeeded);
        var outcomes = AckedSource.Of(acks);
        Assert.Equal(50, outcomes.Count);
        Assert.All(outcomes.Values, o => Assert.Equal(AckOutcome.Completed, o));
    }

    [Fact]
    public async Task A_skipped_failure_naks_and_windows_ack_members_when_the_window_is_consumed()
    {
        var acks = Unique("acks");
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "src", "type": "test.acked", "options": { "name": "{{acks}}", "count": 12 } },
                { "id": "bad", "type": "test.fail", "input": "src", "onError": "skip", "options": { "failOn": [4] } },
                { "id": "win", "type": "window.tumbling", "input": "bad", "options": { "size": 3 } },
                { "id": "out", "type": "sink.null", "input": "win" }
              ]
            }
            """);
        Assert.True(result.Succeeded);
        var outcomes = AckedSource.Of(acks);
        Assert.Equal(12, outcomes.Count);
        Assert.Equal(AckOutcome.Failed, outcomes[4]);
        Assert.All(outcomes.Where(kv => kv.Key != 4), kv => Assert.Equal(AckOutcome.Completed, kv.Value));
    }

    [Fact]
    public async Task Dropped_packets_report_dropped()
    {
        var acks = Unique("acks");
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "src", "type": "test.acked", "options": { "name": "{{acks}}", "count": 100 } },
                { "id": "out", "type": "test.collect", "input": "src", "capacity": 2, "full": "drop-oldest", "options": { "name": "{{Unique("d")}}", "delayMs": 3 } }
              ]
            }
            """);
        var outcomes = AckedSource.Of(acks);
        Assert.Equal(100, outcomes.Count);
        Assert.Equal(result.Stages[1].Dropped, outcomes.Values.Count(o => o == AckOutcome.Dropped));
        Assert.Contains(AckOutcome.Completed, outcomes.Values);
    }

    [Fact]
    public void Lease_disposes_the_payload_once_and_settles_the_ack_with_the_worst_outcome()
    {
        AckOutcome? settled = null;
        var ack = new AckToken(o => settled = o);
        var payload = new TrackedResource(Unique("lease"), 1);
        var lease = Lease.Create(payload, ack)!;
        lease.Retain(2);
        lease.Release();
        lease.Release(AckOutcome.Dropped);
        Assert.False(payload.IsDisposed);
        Assert.Null(settled);
        lease.Release();
        Assert.True(payload.IsDisposed);
        Assert.Equal(AckOutcome.Dropped, settled);
        Assert.Throws<InvalidOperationException>(() => lease.Release());
        Assert.Null(Lease.Create(42.0, null));
    }
}
