using System.Text.Json;
using StreamSeq.Core.Tests.Support;
using StreamSeq.Runtime;
using static StreamSeq.Core.Tests.Support.Pipelines;

namespace StreamSeq.Core.Tests.Stages;

public sealed class IoStageTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("streamseq-io-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name).Replace("\\", "/");

    [Fact]
    public async Task Lines_are_read_with_crlf_and_a_last_line_without_newline()
    {
        var input = PathOf("in.txt");
        await File.WriteAllTextAsync(input, "alpha\r\nbeta\n\ngamma ünïcode");
        var name = Unique("lines");
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "src", "type": "source.lines", "options": { "path": "{{input}}" } },
                { "id": "out", "type": "test.collect", "input": "src", "options": { "name": "{{name}}" } }
              ]
            }
            """);
        Assert.True(result.Succeeded);
        Assert.Equal(["alpha", "beta", "", "gamma ünïcode"], Collected.Of(name).Cast<string>());
    }

    [Fact]
    public async Task Follow_mode_reads_appended_lines_and_starts_over_after_truncation()
    {
        var input = PathOf("follow.log");
        await File.WriteAllTextAsync(input, "one\n");
        var name = Unique("follow");
        var run = PipelineRun.Start(Plan($$"""
            {
              "stages": [
                { "id": "src", "type": "source.lines", "options": { "path": "{{input}}", "follow": true, "pollInterval": "20ms" } },
                { "id": "out", "type": "test.collect", "input": "src", "options": { "name": "{{name}}" } }
              ]
            }
            """));
        var lines = Collected.Of(name);
        await Eventually(() => lines.Count == 1);
        await File.AppendAllTextAsync(input, "two\nthr");
        await Eventually(() => lines.Count == 2);
        await File.AppendAllTextAsync(input, "ee\n");
        await Eventually(() => lines.Count == 3);
        await File.WriteAllTextAsync(input, "");
        await Task.Delay(100);
        await File.AppendAllTextAsync(input, "after rotation\n");
        await Eventually(() => lines.Count == 4);
        var result = await run.StopAsync(TimeSpan.FromSeconds(5));
        Assert.True(result.Succeeded);
        Assert.Equal(["one", "two", "three", "after rotation"], lines.Cast<string>());
    }

    [Fact]
    public async Task Jsonl_sink_writes_one_object_per_line_with_time_stream_and_sequence()
    {
        var output = PathOf("sub/out.jsonl");
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "count": 3, "start": "2026-01-01T00:00:00Z", "period": "1s" } },
                { "id": "win", "type": "window.tumbling", "input": "gen", "options": { "size": 2 } },
                { "id": "out", "type": "sink.jsonl", "input": "win", "options": { "path": "{{output}}" } }
              ]
            }
            """);
        Assert.True(result.Succeeded);
        var lines = await File.ReadAllLinesAsync(output);
        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal("2026-01-01T00:00:01Z", first.RootElement.GetProperty("time").GetString());
        Assert.Equal("win", first.RootElement.GetProperty("stream").GetString());
        Assert.Equal(0, first.RootElement.GetProperty("seq").GetInt64());
        var payload = first.RootElement.GetProperty("payload");
        Assert.Equal(2, payload.GetProperty("count").GetInt32());
        Assert.Equal([0.0, 1.0], payload.GetProperty("items").EnumerateArray().Select(e => e.GetDouble()));
        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal(1, second.RootElement.GetProperty("payload").GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task A_payload_that_cannot_be_serialised_is_a_stage_failure_and_leaves_no_half_line()
    {
        var output = PathOf("bad.jsonl");
        var result = await RunToEnd($$"""
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "count": 5, "mode": "counter" } },
                { "id": "nan", "type": "test.nan", "input": "gen" },
                { "id": "out", "type": "sink.jsonl", "input": "nan", "onError": "skip", "options": { "path": "{{output}}", "payloadOnly": true } }
              ]
            }
            """);
        Assert.True(result.Succeeded);
        Assert.Equal(1, result.Stages[^1].Failed);
        var lines = await File.ReadAllLinesAsync(output);
        Assert.Equal(4, lines.Length);
        Assert.All(lines, line => JsonDocument.Parse(line).Dispose());
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(10);
        }
    }
}

/// <summary>Payloads that System.Text.Json refuses (a cyclic object on value 2).</summary>
[Stage("test.nan")]
public sealed class UnserialisableOnTwo : MapStage<double, object>
{
    public sealed class Cycle
    {
        public Cycle? Self { get; set; }
    }

    public override object Map(in Packet<double> input)
    {
        if (input.Payload == 2)
        {
            var cycle = new Cycle();
            cycle.Self = cycle;
            return cycle;
        }
        return input.Payload;
    }
}
