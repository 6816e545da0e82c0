using StreamSeq.Core.Tests.Support;
using StreamSeq.Runtime;
using static StreamSeq.Core.Tests.Support.Pipelines;

namespace StreamSeq.Core.Tests.Pipelines;

/// <summary>A two-port stage: numbers and lines, paired in arrival order (port order is declaration order).</summary>
[Stage("test.pair", ManyInputs = true)]
[InputPort("number", typeof(double))]
[InputPort("text", typeof(string))]
public sealed class PairStage : MultiInputStage<object, string>
{
    public override async Task RunAsync(IReadOnlyList<StageInput<object>> inputs, Emitter<string> output, CancellationToken cancellationToken)
    {
        Assert.Equal(["number", "text"], inputs.Select(i => i.Name));
        var numbers = new List<Packet<object>>();
        await foreach (var packet in inputs[0].Reader.ReadAllAsync(cancellationToken))
        {
            numbers.Add(packet);
        }
        var index = 0;
        await foreach (var text in inputs[1].Reader.ReadAllAsync(cancellationToken))
        {
            var number = numbers[index++];
            await output.EmitAsync($"{number.Payload}:{text.Payload}", text.OriginatingTime, null, cancellationToken);
            number.Release();
            text.Release();
        }
        foreach (var left in numbers.Skip(index))
        {
            left.Release();
        }
    }
}

public sealed class InputPortTests : IDisposable
{
    private readonly string _file = Path.GetTempFileName();

    public InputPortTests() => File.WriteAllLines(_file, ["a", "b", "c"]);

    public void Dispose() => File.Delete(_file);

    private string Pipeline(string inputs) => $$"""
        {
          "stages": [
            { "id": "gen", "type": "source.generator", "options": { "count": 3 } },
            { "id": "lines", "type": "source.lines", "options": { "path": "{{_file.Replace("\\", "/")}}" } },
            { "id": "pair", "type": "test.pair", "inputs": {{inputs}} },
            { "id": "out", "type": "test.collect", "input": "pair", "options": { "name": "{{Unique("p")}}" } }
          ]
        }
        """;

    [Fact]
    public async Task Named_ports_arrive_in_declaration_order_whatever_the_file_order()
    {
        var plan = Plan(Pipeline("""{ "text": "lines", "number": "gen" }"""));
        var result = await RunToEnd(plan);
        Assert.True(result.Succeeded, string.Join("; ", result.Failures));
        var name = ((CollectOptions)plan.Stages.Single(s => s.Id == "out").Options!).Name;
        Assert.Equal(["0:a", "1:b", "2:c"], Collected.Of(name).Cast<string>());
    }

    [Fact]
    public void Unknown_missing_and_mistyped_ports_are_reported()
    {
        var unknown = Diagnose(Pipeline("""{ "numbr": "gen", "text": "lines" }"""));
        Assert.Contains(unknown, d => d.Message.Contains("has no input port 'numbr'; did you mean 'number'?"));
        Assert.Contains(unknown, d => d.Message.Contains("input port 'number' (double) of stage type 'test.pair' is not connected"));
        var mistyped = Diagnose(Pipeline("""{ "number": "lines", "text": "gen" }"""));
        Assert.Contains(mistyped, d => d.Message.Contains("port type mismatch: input 'lines' produces string, but port 'number' of stage type 'test.pair' takes double"));
        Assert.Contains(mistyped, d => d.Message.Contains("port 'text'"));
        var list = Diagnose(Pipeline("""["gen", "lines"]"""));
        Assert.Contains(list, d => d.Message.Contains("wire them as"));
    }
}
