using StreamSeq.Core.Tests.Support;
using StreamSeq.Runtime;
using static StreamSeq.Core.Tests.Support.Pipelines;

namespace StreamSeq.Core.Tests.Runtime;

public class UpstreamCancellationTests
{
    [Fact]
    public async Task A_run_completes_when_a_join_ends_with_its_primary_while_a_live_secondary_goes_on()
    {
        var name = Unique("ends");
        // The secondary source never ends by itself; once the join has finished, nothing reads what it
        // (and the passthrough after it) produce, so they stop and the run completes without a stop request.
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "video", "type": "source.generator", "options": { "count": 10, "period": "10ms" } },
                { "id": "live", "type": "source.generator", "options": { "rate": 2000 } },
                { "id": "pass", "type": "passthrough", "input": "live" },
                { "id": "sync", "type": "join", "inputs": ["video", "pass"], "options": { "mode": "nearest", "tolerance": "1h", "emitUnmatched": true } },
                { "id": "out", "type": "test.joined", "input": "sync", "options": { "name": "{{name}}" } }
              ]
            }
            """);
        Assert.True(result.Succeeded, string.Join("; ", result.Failures));
        Assert.Equal(10, Collected.Of(name).Count);
    }

    [Fact]
    public async Task A_source_whose_only_consumer_failed_stops_instead_of_producing_into_nothing()
    {
        // The sink stops the pipeline on its first failure: the drain ends the source anyway; this checks the
        // run ends promptly and reports the sink, not a hang on an endless source.
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "rate": 5000 } },
                { "id": "out", "type": "test.collect", "input": "gen", "options": { "name": "{{Unique("f")}}", "failOn": [20] } }
              ]
            }
            """);
        Assert.False(result.Succeeded);
        Assert.Equal("out", Assert.Single(result.Failures).StageId);
    }

    [Fact]
    public async Task The_stop_travels_up_through_rx_and_parallel_stages_too()
    {
        var name = Unique("ends-rx");
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "video", "type": "source.generator", "options": { "count": 10, "period": "10ms" } },
                { "id": "live", "type": "source.generator", "options": { "rate": 2000 } },
                { "id": "pass", "type": "passthrough", "input": "live", "parallelism": 2 },
                { "id": "thin", "type": "throttle", "input": "pass", "options": { "interval": "1ms" } },
                { "id": "sync", "type": "join", "inputs": ["video", "thin"], "options": { "mode": "nearest", "tolerance": "1h", "emitUnmatched": true } },
                { "id": "out", "type": "test.joined", "input": "sync", "options": { "name": "{{name}}" } }
              ]
            }
            """);
        Assert.True(result.Succeeded, string.Join("; ", result.Failures));
        Assert.Equal(10, Collected.Of(name).Count);
    }
}
