using System.Text.Json;
using StreamSeq.Core.Tests.Support;
using StreamSeq.Runtime;
using static StreamSeq.Core.Tests.Support.Pipelines;

namespace StreamSeq.Core.Tests.Runtime;

/// <summary>Restart, Rx and acknowledgement paths that are easy to get subtly wrong.</summary>
public sealed class ReviewRegressionTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("streamseq-rr-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_parallel_map_restart_never_calls_a_stopped_instance()
    {
        var name = Unique("fragile");
        var collected = Unique("fragile-out");
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "count": 300 } },
                { "id": "map", "type": "test.fragile", "input": "gen", "parallelism": 4, "onError": "restart",
                  "restart": { "maxAttempts": 5, "delay": "5ms" }, "options": { "name": "{{name}}", "failOn": [50, 150, 151, 250] } },
                { "id": "out", "type": "test.collect", "input": "map", "options": { "name": "{{collected}}" } }
              ]
            }
            """);
        Assert.True(result.Succeeded, string.Join("; ", result.Failures));
        Assert.Equal(0, FragileMap.ViolationsOf(name));
        var (started, stopped) = Lifecycle.Of(name);
        Assert.Equal(started, stopped);
        Assert.True(started >= 4, $"restarts made new instances ({started})");
        Assert.Equal(296, Collected.Of(collected).Count);
        Assert.Equal(Collected.Of(collected).Cast<double>().Order(), Collected.Of(collected).Cast<double>());
    }

    [Fact]
    public async Task A_restarted_jsonl_sink_appends_to_what_it_wrote_before()
    {
        var output = Path.Combine(_directory, "out.jsonl").Replace("\\", "/");
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "count": 6 } },
                { "id": "nan", "type": "test.nan", "input": "gen" },
                { "id": "out", "type": "sink.jsonl", "input": "nan", "onError": "restart", "restart": { "delay": "1ms" },
                  "options": { "path": "{{output}}", "payloadOnly": true } }
              ]
            }
            """);
        Assert.True(result.Succeeded);
        Assert.Equal(1, result.Stages[^1].Restarts);
        Assert.Equal(["0", "1", "3", "4", "5"], await File.ReadAllLinesAsync(output));
    }

    [Fact]
    public async Task An_rx_operator_that_throws_is_handled_by_the_stage_policy()
    {
        var name = Unique("rx-throw");
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "count": 20 } },
                { "id": "rx", "type": "test.rx", "input": "gen", "onError": "restart", "restart": { "delay": "1ms" }, "options": { "throwOn": 5 } },
                { "id": "out", "type": "test.collect", "input": "rx", "options": { "name": "{{name}}" } }
              ]
            }
            """);
        Assert.True(result.Succeeded, string.Join("; ", result.Failures));
        Assert.Equal(1, result.Stages[1].Restarts);
        Assert.Equal(Enumerable.Range(0, 20).Where(i => i != 5).Select(i => (double)i), Collected.Of(name).Cast<double>());
    }

    [Fact]
    public async Task Packets_an_rx_query_emits_after_its_input_ended_still_arrive()
    {
        var name = Unique("rx-late");
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "count": 50 } },
                { "id": "rx", "type": "test.rx", "input": "gen", "options": { "delayMs": 100 } },
                { "id": "out", "type": "test.collect", "input": "rx", "options": { "name": "{{name}}" } }
              ]
            }
            """);
        Assert.True(result.Succeeded);
        Assert.Equal(50, Collected.Of(name).Count);
    }

    [Fact]
    public async Task Window_members_are_acknowledged_with_the_outcome_of_what_was_computed_from_the_window()
    {
        var acks = Unique("wacks");
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "src", "type": "test.acked", "options": { "name": "{{acks}}", "count": 9 } },
                { "id": "win", "type": "window.tumbling", "input": "src", "options": { "size": 3 } },
                { "id": "stats", "type": "window.stats", "input": "win" },
                { "id": "count", "type": "test.statsmean", "input": "stats" },
                { "id": "out", "type": "test.collect", "input": "count", "onError": "skip", "options": { "name": "{{Unique("w")}}", "failOn": [4] } }
              ]
            }
            """);
        Assert.True(result.Succeeded);
        var outcomes = AckedSource.Of(acks);
        Assert.Equal(9, outcomes.Count);
        // Means 1, 4, 7: the sink refuses the window whose mean is 4, holding packets 3, 4 and 5.
        Assert.All(new long[] { 3, 4, 5 }, i => Assert.Equal(AckOutcome.Failed, outcomes[i]));
        Assert.All(new long[] { 0, 1, 2, 6, 7, 8 }, i => Assert.Equal(AckOutcome.Completed, outcomes[i]));
    }
}

/// <summary>The mean of a window's stats, as a number a test sink can refuse.</summary>
[Stage("test.statsmean", Stateless = true)]
public sealed class StatsMean : MapStage<StreamSeq.Stages.WindowStats, double>
{
    public override double Map(in Packet<StreamSeq.Stages.WindowStats> input) => input.Payload.Mean;
}
