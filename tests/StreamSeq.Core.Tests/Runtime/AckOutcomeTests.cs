using StreamSeq.Core.Tests.Support;
using StreamSeq.Runtime;
using static StreamSeq.Core.Tests.Support.Pipelines;

namespace StreamSeq.Core.Tests.Runtime;

public class AckOutcomeTests
{
    [Fact]
    public async Task The_packet_an_rx_operator_threw_on_is_acknowledged_as_failed()
    {
        var acks = Unique("rx-acks");
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "src", "type": "test.acked", "options": { "name": "{{acks}}", "count": 10 } },
                { "id": "rx", "type": "test.rx", "input": "src", "onError": "restart", "restart": { "delay": "1ms" }, "options": { "throwOn": 5 } },
                { "id": "out", "type": "sink.null", "input": "rx" }
              ]
            }
            """);
        Assert.True(result.Succeeded);
        var outcomes = AckedSource.Of(acks);
        Assert.Equal(10, outcomes.Count);
        Assert.Equal(AckOutcome.Failed, outcomes[5]);
        Assert.All(outcomes.Where(kv => kv.Key != 5), kv => Assert.Equal(AckOutcome.Completed, kv.Value));
    }
}
