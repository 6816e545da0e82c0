using System.Text.Json.Nodes;
using StreamSeq.Cli.Tests.Support;

namespace StreamSeq.Cli.Tests.Commands;

public sealed class SchemaCommandTests : IDisposable
{
    private const string CommittedSchema = "schema/pipeline.schema.json";
    private readonly TempDirectory _dir = new("schema");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_schema_is_json_and_describes_the_options_of_every_stage()
    {
        var result = await StreamseqCli.RunAsync(_dir.Path, "schema", "--no-plugins");

        Assert.True(result.ExitCode == 0, result.Describe());
        var schema = Assert.IsType<JsonObject>(JsonNode.Parse(result.StdOut));
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", (string?)schema["$schema"]);
        var definitions = schema["$defs"]!.AsObject();
        var generator = definitions["options.source.generator"]!.AsObject();
        Assert.True(generator["properties"]!.AsObject().ContainsKey("rate"), generator.ToJsonString());
        Assert.True(definitions.ContainsKey("options.sink.jsonl"));
    }

    [Fact]
    public async Task The_schema_written_with_output_is_the_one_printed()
    {
        var printed = await StreamseqCli.RunAsync(_dir.Path, "schema", "--no-plugins");
        var written = await StreamseqCli.RunAsync(_dir.Path, "schema", "--no-plugins", "--output", "written.schema.json");

        Assert.True(written.ExitCode == 0, written.Describe());
        Assert.Equal("", written.StdOut);
        Assert.Equal(printed.StdOut, File.ReadAllText(_dir["written.schema.json"]));
    }

    [Fact]
    public async Task The_committed_schema_is_up_to_date()
    {
        var committed = Repository.PathOf(CommittedSchema);
        Assert.True(File.Exists(committed),
            $"{CommittedSchema} is not in the repository; pipelines point at it with \"$schema\". Create it from the repository root with: streamseq schema --no-plugins --output {CommittedSchema}");

        var result = await StreamseqCli.RunAsync(_dir.Path, "schema", "--no-plugins");

        Assert.True(result.ExitCode == 0, result.Describe());
        // Compared as JSON, so line endings and indentation do not matter; any change of content does.
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(File.ReadAllText(committed)), JsonNode.Parse(result.StdOut)),
            $"{CommittedSchema} differs from what 'streamseq schema --no-plugins' prints now (a stage or option changed); regenerate it with: streamseq schema --no-plugins --output {CommittedSchema}");
    }
}
