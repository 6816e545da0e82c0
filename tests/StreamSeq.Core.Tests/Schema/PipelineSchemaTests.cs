using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using StreamSeq.Core.Tests.Support;
using StreamSeq.Registry;
using StreamSeq.Schema;

namespace StreamSeq.Core.Tests.Schema;

public class PipelineSchemaTests
{
    private static readonly string CommittedPath = RepoPaths.Combine("schema", "pipeline.schema.json");

    // JsonSchema.Net registers a schema by its $id globally: parse it once.
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(File.ReadAllText(CommittedPath)));

    private static JsonSchema Load() => Schema.Value;

    [Fact]
    public void The_committed_schema_describes_every_core_stage_as_the_registry_does()
    {
        // The committed schema also covers the CLI's built-in domain libraries (the CLI tests compare it whole);
        // here each core stage's options must match what the core registry generates now.
        var generated = JsonNode.Parse(PipelineSchema.ToText(StageRegistry.CreateDefault()))!["$defs"]!.AsObject();
        var committed = JsonNode.Parse(File.ReadAllText(CommittedPath))!["$defs"]!.AsObject();
        foreach (var (name, definition) in generated.Where(d => d.Key.StartsWith("options.", StringComparison.Ordinal)))
        {
            Assert.True(JsonNode.DeepEquals(definition, committed[name]),
                $"schema/pipeline.schema.json is stale at $defs/{name}: run ./streamseq schema --no-plugins -o schema/pipeline.schema.json");
        }
    }

    public static TheoryData<string> RepoPipelines()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RepoPaths.Combine("pipelines"), "*.json").Order())
        {
            data.Add(Path.GetFileName(file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(RepoPipelines))]
    public void Repo_pipelines_satisfy_the_schema_they_reference(string file)
    {
        var text = File.ReadAllText(RepoPaths.Combine("pipelines", file));
        var node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!;
        Assert.Equal("../schema/pipeline.schema.json", node["$schema"]?.GetValue<string>());
        var result = Load().Evaluate(JsonSerializer.SerializeToElement(node), new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(result.IsValid, Describe(result));
    }

    [Theory]
    [InlineData("""{ "stages": [ { "id": "g", "type": "source.generator", "options": { "rtae": 1 } } ] }""")]
    [InlineData("""{ "stages": [ { "id": "g", "type": "source.generator", "options": { "mode": "square" } } ] }""")]
    [InlineData("""{ "stages": [ { "id": "g", "type": "no.such.stage" } ] }""")]
    [InlineData("""{ "stages": [ { "id": "g", "type": "sink.null", "full": "drop-all" } ] }""")]
    [InlineData("""{ "stages": [ { "id": "w", "type": "window.sliding", "options": { "duration": "2 fortnights" } } ] }""")]
    [InlineData("""{ "stagez": [] }""")]
    public void The_schema_rejects_what_validation_rejects(string pipeline)
    {
        var result = Load().Evaluate(JsonDocument.Parse(pipeline).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.False(result.IsValid);
    }

    private static string Describe(EvaluationResults result)
        => string.Join(Environment.NewLine, (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}")));
}
