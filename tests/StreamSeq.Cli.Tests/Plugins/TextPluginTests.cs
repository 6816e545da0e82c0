using System.Runtime.Loader;
using System.Text.Json;
using System.Text.RegularExpressions;
using StreamSeq.Cli.Tests.Support;
using StreamSeq.Pipelines;
using StreamSeq.Plugins;
using StreamSeq.Registry;
using StreamSeq.Runtime;

namespace StreamSeq.Cli.Tests.Plugins;

/// <summary>The sample plugin, built from source: loaded in-process by the plugin loader and through the CLI.</summary>
public sealed class TextPluginTests : IClassFixture<TextPluginFixture>, IDisposable
{
    private const string Log = """
        2025-11-24 08:00:01.112 INFO  [main] Starting orders-api
        2025-11-24 08:00:02.010 WARN  [config] Cache:Ttl is not set
        2025-11-24 08:00:19.402 INFO  [http] POST /api/orders 201 38 ms

        2025-11-24 08:00:52.813 ERROR [payments] Charge 918232 failed: gateway timeout
        2025-11-24 08:01:03.440 INFO  [worker] 24 labels printed
        """;

    private const string LevelPattern = @"^(?<time>\\S+ \\S+)\\s+(?<level>ERROR|WARN)\\s+\\[(?<logger>[^\\]]*)\\]\\s+(?<message>.*)$";

    private static readonly (string Level, string Message)[] Problems =
    [
        ("WARN", "Cache:Ttl is not set"),
        ("ERROR", "Charge 918232 failed: gateway timeout"),
    ];

    private readonly TextPluginFixture _plugin;
    private readonly TempDirectory _dir = new("text-plugin-test");

    public TextPluginTests(TextPluginFixture plugin)
    {
        _plugin = plugin;
        File.WriteAllText(_dir["app.log"], Log);
    }

    public void Dispose() => _dir.Dispose();

    private StageRegistry LoadRegistry()
    {
        var registry = StageRegistry.CreateDefault();
        registry.AddAssembly(typeof(JsonCollectSink).Assembly, "tests");
        var loaded = PluginLoader.Load(registry, _plugin.AssemblyPath);
        Assert.True(loaded.Error is null, loaded.Error);
        Assert.Equal(1, loaded.StageCount);
        return registry;
    }

    private async Task<List<(Type Type, JsonElement Json)>> RunInProcessAsync(StageRegistry registry, string regexStage, string log = "app.log")
    {
        var bucket = $"text-{Guid.NewGuid():N}";
        var json = $$"""
            {
              "stages": [
                { "id": "log", "type": "source.lines", "options": { "path": "{{log}}" } },
                { "id": "parse", "type": "text.regex", "input": "log", {{regexStage}} },
                { "id": "out", "type": "test.collect-json", "input": "parse", "options": { "name": "{{bucket}}" } }
              ]
            }
            """;
        var diagnostics = new List<PipelineDiagnostic>();
        var plan = PipelineLoader.TryLoad(System.Text.Encoding.UTF8.GetBytes(json), "inline.json", registry, diagnostics, baseDirectory: _dir.Path);
        Assert.True(plan is not null, string.Join(Environment.NewLine, diagnostics));
        var result = await PipelineRun.Start(plan).Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Failures));
        return JsonCollectSink.Of(bucket).ToList();
    }

    private static string Group(JsonElement record, string name) => record.GetProperty("groups").GetProperty(name).GetString()!;

    [Fact]
    public async Task The_loader_registers_text_regex_with_its_path_and_a_pipeline_turns_log_lines_into_records()
    {
        var registry = LoadRegistry();

        Assert.True(registry.TryGet("text.regex", out var stage), string.Join(", ", registry.TypeNames));
        Assert.Equal(_plugin.AssemblyPath, stage.Origin);
        Assert.Equal(StageKind.Transform, stage.Kind);
        Assert.Equal(typeof(string), stage.InputType);
        Assert.Equal("plugin:" + TextPluginFixture.Name, AssemblyLoadContext.GetLoadContext(stage.Implementation.Assembly)!.Name);
        Assert.DoesNotContain(registry.Problems, p => p.Contains(TextPluginFixture.Name, StringComparison.Ordinal));
        Assert.Contains(stage.Options, o => o.Name == "pattern" && o.Required);

        var records = await RunInProcessAsync(registry, $$"""
            "options": { "pattern": "{{LevelPattern}}", "groups": ["level", "message"] }
            """);

        Assert.All(records, r => Assert.Equal("RegexMatch", r.Type.Name));
        Assert.Equal(Problems, records.Select(r => (Group(r.Json, "level"), Group(r.Json, "message"))));
        Assert.All(records, r => Assert.True(r.Json.GetProperty("matched").GetBoolean()));
        // Only the groups asked for are kept.
        Assert.All(records, r => Assert.Equal(["level", "message"], r.Json.GetProperty("groups").EnumerateObject().Select(p => p.Name)));
        Assert.StartsWith("2025-11-24 08:00:52.813 ERROR", records[1].Json.GetProperty("line").GetString());
    }

    [Fact]
    public async Task Filter_keeps_the_first_match_of_a_line_and_extract_every_match()
    {
        File.WriteAllText(_dir["pairs.log"], "a=1 B=2 c=3\nno pairs here\nX=10\n");
        var registry = LoadRegistry();
        const string pattern = @"(?<key>[a-z]+)=(?<value>\\d+)";

        var filtered = await RunInProcessAsync(registry, $$"""
            "options": { "pattern": "{{pattern}}", "ignoreCase": true }
            """, "pairs.log");
        var extracted = await RunInProcessAsync(registry, $$"""
            "options": { "pattern": "{{pattern}}", "mode": "extract", "ignoreCase": true, "onNoMatch": "emit" }
            """, "pairs.log");

        Assert.Equal(["a=1", "X=10"], filtered.Select(r => r.Json.GetProperty("value").GetString()));
        Assert.Equal(["a=1", "B=2", "c=3", null, "X=10"], extracted.Select(r => r.Json.GetProperty("value").GetString()));
        Assert.Equal(["a", "B", "c", "X"], extracted.Where(r => r.Json.GetProperty("matched").GetBoolean()).Select(r => Group(r.Json, "key")));
        var unmatched = Assert.Single(extracted, r => !r.Json.GetProperty("matched").GetBoolean());
        Assert.Equal("no pairs here", unmatched.Json.GetProperty("line").GetString());
        Assert.Empty(unmatched.Json.GetProperty("groups").EnumerateObject());
    }

    [Fact]
    public async Task The_cli_runs_a_pipeline_with_the_plugin_end_to_end()
    {
        _dir.Write("problems.json", $$"""
            {
              "stages": [
                { "id": "log", "type": "source.lines", "options": { "path": "app.log", "skipEmpty": true } },
                { "id": "parse", "type": "text.regex", "input": "log", "options": { "pattern": "{{LevelPattern}}" } },
                { "id": "out", "type": "sink.jsonl", "input": "parse", "options": { "path": "out/problems.jsonl", "payloadOnly": true } }
              ]
            }
            """);

        var result = await StreamseqCli.RunAsync(_dir.Path, "run", "problems.json", "--plugins", _plugin.PluginsRoot, "--stats");

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.DoesNotContain("streamseq: plugin", result.StdErr);
        Assert.Matches(new Regex(@"^parse\s+text\.regex\s+5\s+2\s", RegexOptions.Multiline), result.StdErr);
        var records = JsonLines.ReadAll(_dir["out/problems.jsonl"]);
        Assert.Equal(Problems, records.Select(r => (Group(r, "level"), Group(r, "message"))));
        // Without groups, every named group of the pattern is kept, in pattern order.
        Assert.All(records, r => Assert.Equal(["time", "level", "logger", "message"], r.GetProperty("groups").EnumerateObject().Select(p => p.Name)));
    }

    [Fact]
    public async Task A_bad_pattern_is_a_validation_error_at_the_pattern()
    {
        _dir.Write("bad.json", """
            {
              "stages": [
                { "id": "log", "type": "source.lines", "options": { "path": "app.log" } },
                { "id": "parse", "type": "text.regex", "input": "log",
                  "options": { "pattern": "(?<level>ERROR", "groups": ["level"] } },
                { "id": "keep", "type": "text.regex", "input": "log",
                  "options": { "pattern": "(?<level>ERROR)", "groups": ["lvl"] } },
                { "id": "out", "type": "sink.null", "inputs": ["parse", "keep"] }
              ]
            }
            """);

        var result = await StreamseqCli.RunAsync(_dir.Path, "validate", "bad.json", "--plugins", _plugin.PluginsRoot);

        Assert.True(result.ExitCode == 2, result.Describe());
        var line5 = File.ReadAllLines(_dir["bad.json"])[4];
        var patternColumn = line5.IndexOf("\"(?<level>ERROR\"", StringComparison.Ordinal) + 1;
        Assert.Contains($"bad.json:5:{patternColumn}: stage 'parse': option 'pattern' is not a valid .NET regular expression:", result.StdErr);
        Assert.Matches(@"bad\.json:7:\d+: stage 'keep': option 'groups': the pattern has no group 'lvl' \(its named groups: level\)", result.StdErr);
        Assert.DoesNotContain("   at ", result.StdErr);
    }

    [Fact]
    public async Task The_example_pipeline_extracts_the_problems_of_the_sample_log()
    {
        const string example = "plugins/StreamSeq.Plugins.Text/example.json";
        var validation = await StreamseqCli.RunAsync(Repository.Root, "validate", example, "--plugins", _plugin.PluginsRoot);
        Assert.True(validation.ExitCode == 0, validation.Describe());

        var result = await StreamseqCli.RunAsync(Repository.Root, "run", example, "--plugins", _plugin.PluginsRoot);

        Assert.True(result.ExitCode == 0, result.Describe());
        var records = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(JsonLines.Parse).ToList();
        var expected = File.ReadAllLines(Repository.PathOf("samples/app.log")).Where(l => Regex.IsMatch(l, @"\s(ERROR|WARN)\s")).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, records.Select(r => r.GetProperty("line").GetString()));
        Assert.All(records, r =>
        {
            Assert.Contains(Group(r, "level"), new[] { "ERROR", "WARN" });
            Assert.NotEqual("", Group(r, "time"));
            Assert.NotEqual("", Group(r, "message"));
        });
    }

    [Fact]
    public async Task Broken_plugins_are_reported_with_their_path_and_skipped()
    {
        // Not an assembly at all.
        var garbage = _dir.Write("broken-plugins/Broken.Plugin/Broken.Plugin.dll", "");
        File.WriteAllBytes(garbage, Enumerable.Range(0, 4096).Select(i => (byte)(i * 131 % 251)).ToArray());
        // A good assembly whose .deps.json was cut short (a half-finished deployment).
        var copy = _dir["broken-plugins/" + TextPluginFixture.Name];
        Directory.CreateDirectory(copy);
        File.Copy(_plugin.AssemblyPath, Path.Combine(copy, TextPluginFixture.Name + ".dll"));
        File.WriteAllText(Path.Combine(copy, TextPluginFixture.Name + ".deps.json"), "{ \"runtimeTarget\": ");
        _dir.Write("gen.json", """
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "count": 10 } },
                { "id": "out", "type": "sink.jsonl", "input": "gen", "options": { "path": "out/gen.jsonl" } }
              ]
            }
            """);

        var result = await StreamseqCli.RunAsync(_dir.Path, "run", "gen.json", "--plugins", _dir["broken-plugins"]);

        Assert.True(result.ExitCode == 0, result.Describe());
        // The dependency resolver's message spans lines; "(skipped)" ends it.
        const RegexOptions lines = RegexOptions.Multiline | RegexOptions.Singleline;
        Assert.Matches(new Regex($@"^streamseq: plugin {Regex.Escape(garbage)}: BadImageFormatException: .+?\(skipped\)$", lines), result.StdErr);
        Assert.Matches(new Regex($@"^streamseq: plugin {Regex.Escape(Path.Combine(copy, TextPluginFixture.Name + ".dll"))}: .+?\(skipped\)$", lines), result.StdErr);
        Assert.DoesNotContain("   at ", result.StdErr);
        Assert.Equal(10, JsonLines.ReadAll(_dir["out/gen.jsonl"]).Count);
    }
}
