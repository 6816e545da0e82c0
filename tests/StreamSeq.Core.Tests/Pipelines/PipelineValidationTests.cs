using StreamSeq.Core.Tests.Support;
using StreamSeq.Pipelines;

namespace StreamSeq.Core.Tests.Pipelines;

public class PipelineValidationTests
{
    private static PipelineDiagnostic Single(string json)
    {
        var diagnostics = Support.Pipelines.Diagnose(json);
        return Assert.Single(diagnostics);
    }

    [Fact]
    public void Malformed_json_points_at_the_broken_place()
    {
        var diagnostic = Single("{\n  \"stages\": [\n    { \"id\": \"a\" \"type\": \"x\" }\n  ]\n}");
        Assert.Equal(3, diagnostic.Location.Line);
        Assert.Equal(17, diagnostic.Location.Column);
        Assert.StartsWith("test.json:3:17: malformed JSON", diagnostic.ToString());
    }

    [Fact]
    public void Unknown_stage_type_suggests_the_closest_names()
    {
        var diagnostic = Single("""
            {
              "stages": [
                { "id": "gen", "type": "source.generator" },
                { "id": "win", "type": "window.slidng", "input": "gen", "options": { "size": 2 } }
              ]
            }
            """);
        Assert.Equal("win", diagnostic.StageId);
        Assert.Equal((4, 28), (diagnostic.Location.Line, diagnostic.Location.Column));
        Assert.Contains("unknown stage type 'window.slidng'", diagnostic.Message);
        Assert.Contains("did you mean 'window.sliding'", diagnostic.Message);
    }

    [Fact]
    public void Missing_and_duplicate_ids_are_reported()
    {
        var diagnostics = Support.Pipelines.Diagnose("""
            {
              "stages": [
                { "id": "gen", "type": "source.generator" },
                { "type": "sink.null", "input": "gen" },
                { "id": "gen", "type": "sink.null", "input": "gen" }
              ]
            }
            """);
        Assert.Contains(diagnostics, d => d.Message.Contains("stage #2 has no 'id'") && d.Location.Line == 4);
        Assert.Contains(diagnostics, d => d.Message.Contains("duplicate id 'gen' (first used at line 3)") && d.Location.Line == 5);
    }

    [Fact]
    public void Missing_and_unknown_inputs_are_reported()
    {
        var diagnostics = Support.Pipelines.Diagnose("""
            {
              "stages": [
                { "id": "gen", "type": "source.generator" },
                { "id": "pass", "type": "passthrough" },
                { "id": "out", "type": "sink.null", "input": "gne" }
              ]
            }
            """);
        Assert.Contains(diagnostics, d => d.StageId == "pass" && d.Message.StartsWith("missing input") && d.Location.Line == 4);
        Assert.Contains(diagnostics, d => d.StageId == "out" && d.Message.Contains("input 'gne' is not a stage") && d.Message.Contains("'gen'") && (d.Location.Line, d.Location.Column) == (5, 50));
    }

    [Fact]
    public void Cycles_are_reported_with_their_path()
    {
        var diagnostics = Support.Pipelines.Diagnose("""
            {
              "stages": [
                { "id": "gen", "type": "source.generator" },
                { "id": "a", "type": "merge", "inputs": ["gen", "b"] },
                { "id": "b", "type": "passthrough", "input": "a" },
                { "id": "out", "type": "sink.null", "input": "b" }
              ]
            }
            """);
        var cycle = Assert.Single(diagnostics);
        Assert.Contains("cycle", cycle.Message);
        Assert.Contains("a", cycle.Message);
        Assert.Contains("b", cycle.Message);
    }

    [Fact]
    public void Port_type_mismatch_names_both_types()
    {
        var diagnostic = Single("""
            {
              "stages": [
                { "id": "gen", "type": "source.generator" },
                { "id": "stats", "type": "window.stats", "input": "gen" },
                { "id": "out", "type": "sink.null", "input": "stats" }
              ]
            }
            """);
        Assert.Equal("stats", diagnostic.StageId);
        Assert.Contains("port type mismatch: input 'gen' produces double, but stage type 'window.stats' takes Window<double>", diagnostic.Message);
        Assert.Equal(4, diagnostic.Location.Line);
    }

    [Fact]
    public void Unknown_option_key_suggests_the_closest_option()
    {
        var diagnostic = Single("""
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "rtae": 10 } },
                { "id": "out", "type": "sink.null", "input": "gen" }
              ]
            }
            """);
        Assert.Equal((3, 61), (diagnostic.Location.Line, diagnostic.Location.Column));
        Assert.Contains("unknown option 'rtae' for stage type 'source.generator'; did you mean 'rate'?", diagnostic.Message);
    }

    [Fact]
    public void Out_of_range_and_mistyped_values_point_at_the_value()
    {
        var diagnostics = Support.Pipelines.Diagnose("""
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "rate": -5, "mode": "square" } },
                { "id": "win", "type": "window.sliding", "input": "gen", "options": { "size": "ten" } },
                { "id": "out", "type": "sink.null", "input": "win", "capacity": 0, "full": "drop-everything" }
              ]
            }
            """);
        Assert.Contains(diagnostics, d => d.StageId == "gen" && d.Message.Contains("option 'mode' must be one of counter | sine | random") && d.Location.Column == 81);
        Assert.Contains(diagnostics, d => d.StageId == "win" && d.Message.Contains("option 'size' must be an integer, not a string"));
        Assert.Contains(diagnostics, d => d.StageId == "out" && d.Message.Contains("'capacity' must be between 1 and 1000000, not 0"));
        Assert.Contains(diagnostics, d => d.StageId == "out" && d.Message.Contains("'full' must be one of 'wait', 'drop-oldest', 'drop-newest'"));
    }

    [Fact]
    public void Range_violations_use_the_json_option_name()
    {
        var diagnostic = Single("""
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "rate": -5 } },
                { "id": "out", "type": "sink.null", "input": "gen" }
              ]
            }
            """);
        Assert.Equal((3, 69), (diagnostic.Location.Line, diagnostic.Location.Column));
        Assert.Contains("option 'rate'", diagnostic.Message);
        Assert.Contains("between 0 and", diagnostic.Message);
    }

    [Fact]
    public void Missing_files_are_reported_before_anything_starts()
    {
        var diagnostic = Single("""
            {
              "stages": [
                { "id": "log", "type": "source.lines", "options": { "path": "no/such/file.log" } },
                { "id": "out", "type": "sink.null", "input": "log" }
              ]
            }
            """);
        Assert.Equal("log", diagnostic.StageId);
        Assert.Contains("option 'path': file 'no/such/file.log' does not exist", diagnostic.Message);
    }

    [Fact]
    public void Required_options_are_required()
    {
        var diagnostic = Single("""
            {
              "stages": [
                { "id": "gen", "type": "source.generator" },
                { "id": "thr", "type": "throttle", "input": "gen", "options": {} },
                { "id": "out", "type": "sink.null", "input": "thr" }
              ]
            }
            """);
        Assert.Equal("thr", diagnostic.StageId);
        Assert.Contains("interval", diagnostic.Message);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var diagnostics = Support.Pipelines.Diagnose("""
            {
              "name": "many problems",
              "stagez": [],
              "stages": [
                { "id": "gen", "type": "source.generatr" },
                { "id": "pass", "type": "passthrough", "input": "nowhere", "parallelism": 2 },
                { "id": "out", "type": "sink.jsonl", "input": "pass", "options": { "pth": "-" } }
              ]
            }
            """);
        Assert.True(diagnostics.Count >= 4, string.Join("\n", diagnostics));
        Assert.Contains(diagnostics, d => d.Message.Contains("unknown key 'stagez'") && d.Message.Contains("'stages'"));
        Assert.Contains(diagnostics, d => d.Message.Contains("unknown stage type 'source.generatr'"));
        Assert.Contains(diagnostics, d => d.Message.Contains("input 'nowhere'"));
        Assert.Contains(diagnostics, d => d.Message.Contains("unknown option 'pth'"));
        Assert.DoesNotContain(diagnostics, d => d.Message.Contains("no source"));
    }

    [Fact]
    public void Parallelism_needs_a_stateless_map()
    {
        var diagnostic = Single("""
            {
              "stages": [
                { "id": "gen", "type": "source.generator" },
                { "id": "win", "type": "window.tumbling", "input": "gen", "options": { "size": 2 }, "parallelism": 4 },
                { "id": "out", "type": "sink.null", "input": "win" }
              ]
            }
            """);
        Assert.Contains("'parallelism' needs a stateless map stage", diagnostic.Message);
        Assert.Equal(4, diagnostic.Location.Line);
    }

    [Fact]
    public void A_sink_cannot_feed_another_stage_and_a_source_takes_no_input()
    {
        var diagnostics = Support.Pipelines.Diagnose("""
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "input": "out" },
                { "id": "out", "type": "sink.null", "input": "gen" }
              ]
            }
            """);
        Assert.Contains(diagnostics, d => d.Message.Contains("is a source and takes no input"));
    }

    [Fact]
    public void Overrides_change_options_and_are_validated()
    {
        const string json = """
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "count": 5 } },
                { "id": "out", "type": "sink.null", "input": "gen" }
              ]
            }
            """;
        Assert.Empty(Support.Pipelines.Diagnose(json, overrides: [PipelineOverride.Parse("gen.count=7"), PipelineOverride.Parse("out.capacity=3")]));
        var wrong = Support.Pipelines.Diagnose(json, overrides: [PipelineOverride.Parse("gen.cuont=7")]);
        var diagnostic = Assert.Single(wrong);
        Assert.StartsWith("--set gen.cuont: stage 'gen': unknown option 'cuont'", diagnostic.ToString());
        var noStage = Support.Pipelines.Diagnose(json, overrides: [PipelineOverride.Parse("gne.count=7")]);
        Assert.Contains("did you mean 'gen'", Assert.Single(noStage).Message);
        Assert.Throws<FormatException>(() => PipelineOverride.Parse("count=7"));
    }

    [Fact]
    public void Comments_and_trailing_commas_are_allowed()
    {
        Assert.Empty(Support.Pipelines.Diagnose("""
            {
              // a comment
              "stages": [
                { "id": "gen", "type": "source.generator", },
                { "id": "out", "type": "sink.null", "input": "gen" },
              ],
            }
            """));
    }

    [Theory]
    [InlineData("""{ "id": "thr", "type": "throttle", "input": "gen", "options": { "interval": "9999999999h" } }""", "interval")]
    [InlineData("""{ "id": "thr", "type": "throttle", "input": "gen", "options": { "interval": 1e300 } }""", "interval")]
    [InlineData("""{ "id": "thr", "type": "throttle", "input": "gen", "options": { "interval": "1s" }, "restart": { "delay": 1e300 } }""", "delay")]
    [InlineData("""{ "id": "thr", "type": "throttle", "input": "gen", "options": { "interval": "-00:00:01" } }""", "interval")]
    public void Absurd_durations_are_diagnostics_not_crashes(string stage, string option)
    {
        var diagnostics = Support.Pipelines.Diagnose($$"""
            {
              "stages": [
                { "id": "gen", "type": "source.generator" },
                {{stage}},
                { "id": "out", "type": "sink.null", "input": "thr" }
              ]
            }
            """);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("thr", diagnostic.StageId);
        Assert.Contains(option, diagnostic.Message);
        Assert.Equal(4, diagnostic.Location.Line);
    }

    [Fact]
    public void Invalid_values_that_would_fail_at_run_time_are_caught_before()
    {
        var diagnostics = Support.Pipelines.Diagnose("""
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "options": { "rate": 1e-300, "period": "0ms" } },
                { "id": "log", "type": "source.lines", "options": { "path": "a\u0000b" } },
                { "id": "both", "type": "merge", "inputs": ["gen", "log"] },
                { "id": "out", "type": "sink.jsonl", "input": "both", "options": { "path": null } }
              ]
            }
            """);
        Assert.Contains(diagnostics, d => d.StageId == "gen" && d.Message.Contains("'rate' is 0 (unpaced) or at least 0.001"));
        Assert.Contains(diagnostics, d => d.StageId == "gen" && d.Message.Contains("'period' must be positive"));
        Assert.Contains(diagnostics, d => d.StageId == "log" && d.Message.Contains("is not a valid path"));
        Assert.Contains(diagnostics, d => d.StageId == "out" && d.Message.Contains("option 'path' must be a string, not null"));
    }

    [Fact]
    public void Skip_is_refused_where_there_is_no_packet_to_skip_unless_it_comes_from_defaults()
    {
        var explicitSkip = Single("""
            {
              "stages": [
                { "id": "gen", "type": "source.generator", "onError": "skip" },
                { "id": "out", "type": "sink.null", "input": "gen" }
              ]
            }
            """);
        Assert.Equal("gen", explicitSkip.StageId);
        Assert.Contains("'skip' needs a packet to skip", explicitSkip.Message);
        var plan = Support.Pipelines.Plan("""
            {
              "defaults": { "onError": "skip" },
              "stages": [
                { "id": "gen", "type": "source.generator" },
                { "id": "out", "type": "sink.null", "input": "gen" }
              ]
            }
            """);
        Assert.Equal(ErrorPolicy.Restart, plan.Stages[0].Definition.OnError);
        Assert.Equal(ErrorPolicy.Skip, plan.Stages[1].Definition.OnError);
    }

    [Fact]
    public void Columns_count_characters_after_non_ascii_text_and_bad_utf8_is_reported()
    {
        var malformed = Single("{ \"name\": \"ünïcödé\", \"stages\": [ } ");
        Assert.Equal(34, malformed.Location.Column);
        var bytes = "{ \"name\": \"x\" }"u8.ToArray();
        bytes[11] = 0xFF;
        var diagnostics = new List<PipelineDiagnostic>();
        PipelineLoader.TryLoad(bytes, "bad.json", Support.Pipelines.Registry(), diagnostics);
        Assert.Contains("not valid UTF-8", Assert.Single(diagnostics).Message);
    }
}
