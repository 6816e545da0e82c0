using System.Collections.Concurrent;
using StreamSeq.Pipelines;
using StreamSeq.Registry;
using StreamSeq.Runtime;
using StreamSeq.Text.Stages;
using StreamSeq.Text.Tokenizers;

namespace StreamSeq.Text.Tests.Stages;

public sealed class KeepOptions
{
    public string Name { get; init; } = "";
}

[Stage("test.keep")]
public sealed class KeepSink(KeepOptions options) : SinkStage<TokenizedText>
{
    public static readonly ConcurrentDictionary<string, ConcurrentQueue<TokenizedText>> Items = new();

    public override ValueTask ConsumeAsync(Packet<TokenizedText> input, CancellationToken cancellationToken)
    {
        Items.GetOrAdd(options.Name, _ => new()).Enqueue(input.Payload);
        return ValueTask.CompletedTask;
    }
}

public sealed class TokenizeStageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("streamseq-tok-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static StageRegistry Registry()
    {
        var registry = StageRegistry.CreateDefault();
        registry.AddAssembly(typeof(TokenizeStage).Assembly, "built-in");
        registry.AddAssembly(typeof(KeepSink).Assembly, "tests");
        return registry;
    }

    private static string Quote(string s) => System.Text.Json.JsonSerializer.Serialize(s);

    [Fact]
    public async Task Lines_become_token_ids_with_bos_and_eos()
    {
        string[] lines = ["turn on the light", "open the door"];
        var text = Path.Combine(_dir, "lines.txt");
        File.WriteAllLines(text, lines);
        var tokenizerPath = Path.Combine(_dir, "bpe.json");
        var tokenizer = BpeTextTokenizer.Train(lines, 40, minFrequency: 1);
        tokenizer.Save(tokenizerPath);
        var name = Guid.NewGuid().ToString("N");
        var json = $$"""
            {
              "name": "tokens",
              "stages": [
                { "id": "lines", "type": "source.lines", "options": { "path": {{Quote(text)}} } },
                { "id": "tok", "type": "text.tokenize", "input": "lines", "options": { "tokenizer": {{Quote(tokenizerPath)}}, "addBos": true, "addEos": true } },
                { "id": "out", "type": "test.keep", "input": "tok", "options": { "name": "{{name}}" } }
              ]
            }
            """;
        var diagnostics = new List<PipelineDiagnostic>();
        var plan = PipelineLoader.TryLoad(System.Text.Encoding.UTF8.GetBytes(json), "t.json", Registry(), diagnostics, baseDirectory: _dir);
        Assert.True(plan is not null, string.Join("\n", diagnostics));
        var result = await PipelineRun.Start(plan!).Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(result.Succeeded, string.Join("; ", result.Failures));

        var items = KeepSink.Items[name].ToList();
        Assert.Equal(lines, items.Select(i => i.Text));
        foreach (var item in items)
        {
            Assert.Equal(tokenizer.Encode(item.Text, true, true), item.Ids);
            Assert.Equal(item.Text, tokenizer.Decode(item.Ids));
            Assert.Equal(item.Ids.Select(tokenizer.TokenOf), item.Tokens);
        }
    }

    [Fact]
    public void A_missing_tokenizer_file_is_a_validation_error()
    {
        var json = """
            { "name": "t", "stages": [
              { "id": "lines", "type": "source.lines", "options": { "path": "-" } },
              { "id": "tok", "type": "text.tokenize", "input": "lines", "options": { "tokenizer": "no-such.json" } } ] }
            """;
        var diagnostics = new List<PipelineDiagnostic>();
        PipelineLoader.TryLoad(System.Text.Encoding.UTF8.GetBytes(json), "t.json", Registry(), diagnostics, baseDirectory: _dir);
        Assert.Contains(diagnostics, d => d.Message.Contains("no-such.json"));
    }
}
