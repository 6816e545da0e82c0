using StreamSeq.Core.Tests.Support;
using StreamSeq.Runtime;
using static StreamSeq.Core.Tests.Support.Pipelines;

namespace StreamSeq.Core.Tests.Runtime;

/// <summary>Every stage instance that started is stopped exactly once, however the run ends.</summary>
public class LifecycleTests
{
    private static string Pipeline(string name, string policy, string failOn, string source = """{ "count": 50 }""") => $$"""
        {
          "stages": [
            { "id": "gen", "type": "source.generator", "options": {{source}} },
            { "id": "t", "type": "test.tracked", "input": "gen", "onError": "{{policy}}",
              "restart": { "maxAttempts": 2, "delay": "1ms" }, "options": { "name": "{{name}}", "failOn": {{failOn}} } },
            { "id": "out", "type": "sink.null", "input": "t" }
          ]
        }
        """;

    [Theory]
    [InlineData("skip", "[3, 7]", true, 1)]
    [InlineData("restart", "[3, 7]", true, 3)]
    [InlineData("restart", "[3, 4, 5]", false, 3)]
    [InlineData("stop", "[3]", false, 1)]
    [InlineData("stop", "[]", true, 1)]
    public async Task Started_instances_stop_exactly_once(string policy, string failOn, bool succeeds, int instances)
    {
        var name = Unique("life");
        var result = await RunToEnd(Pipeline(name, policy, failOn));
        Assert.Equal(succeeds, result.Succeeded);
        Assert.Equal((instances, instances), Lifecycle.Of(name));
    }

    [Fact]
    public async Task A_stopped_or_aborted_run_stops_its_stages_too()
    {
        var drained = Unique("drained");
        var run = PipelineRun.Start(Plan(Pipeline(drained, "stop", "[]", """{ "rate": 1000 }""")));
        await Task.Delay(50);
        Assert.True((await run.StopAsync(TimeSpan.FromSeconds(10))).Succeeded);
        Assert.Equal((1, 1), Lifecycle.Of(drained));

        var aborted = Unique("aborted");
        run = PipelineRun.Start(Plan(Pipeline(aborted, "stop", "[]", """{ "rate": 1000 }""")));
        await Task.Delay(50);
        run.Abort();
        await run.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((1, 1), Lifecycle.Of(aborted));
    }
}
