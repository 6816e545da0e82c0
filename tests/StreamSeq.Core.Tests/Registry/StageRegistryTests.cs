using StreamSeq.Registry;
using StreamSeq.Stages;

namespace StreamSeq.Core.Tests.Registry;

public class StageRegistryTests
{
    public static TheoryData<string, StageKind> BuiltIns => new()
    {
        { "source.generator", StageKind.Source },
        { "source.lines", StageKind.Source },
        { "window.sliding", StageKind.Rx },
        { "window.tumbling", StageKind.Rx },
        { "window.stats", StageKind.Map },
        { "throttle", StageKind.Rx },
        { "sample", StageKind.Rx },
        { "merge", StageKind.Rx },
        { "join", StageKind.MultiInput },
        { "passthrough", StageKind.Map },
        { "sink.jsonl", StageKind.Sink },
        { "sink.console", StageKind.Sink },
        { "sink.null", StageKind.Sink },
    };

    [Theory]
    [MemberData(nameof(BuiltIns))]
    public void Built_in_stages_are_registered_by_attribute(string type, StageKind kind)
    {
        var registry = StageRegistry.CreateDefault();
        Assert.True(registry.TryGet(type, out var descriptor));
        Assert.Equal(kind, descriptor.Kind);
        Assert.Equal("built-in", descriptor.Origin);
        Assert.NotEmpty(descriptor.Description);
        Assert.All(descriptor.Options, o => Assert.NotEmpty(o.Description));
        Assert.Empty(registry.Problems);
    }

    [Fact]
    public void Generic_stages_close_over_the_upstream_payload_type()
    {
        var registry = StageRegistry.CreateDefault();
        registry.TryGet("window.sliding", out var sliding);
        var closed = sliding.Close([typeof(string)])!;
        Assert.Equal(typeof(SlidingWindowStage<string>), closed.Implementation);
        Assert.Equal(typeof(Window<string>), closed.OutputType);
        registry.TryGet("merge", out var merge);
        Assert.Equal(typeof(object), merge.Close([typeof(string), typeof(double)])!.InputType);
        Assert.Equal("Window<T>", TypeNames.Of(sliding.OutputType!));
    }

    [Fact]
    public void Bad_stage_classes_and_duplicates_are_reported_not_registered()
    {
        var registry = StageRegistry.CreateDefault();
        registry.AddAssembly(typeof(StageRegistry).Assembly, "again");
        Assert.Contains(registry.Problems, p => p.Contains("'source.generator'") && p.Contains("already registered"));
        Assert.Equal("built-in", registry.Stages.Single(s => s.TypeName == "source.generator").Origin);
        Assert.Null(StageDescriptor.TryCreate(typeof(NotAStage), "x", out var problem));
        Assert.Contains("not a concrete Stage", problem);
    }

    [Stage("bad.notastage")]
    private sealed class NotAStage
    {
    }

    [Fact]
    public void Suggestions_find_near_misses()
    {
        Assert.Equal(["window.sliding"], Suggestions.Closest("window.slidng", ["window.sliding", "window.tumbling", "sink.null"]));
        Assert.Empty(Suggestions.Closest("xyz", ["window.sliding"]));
    }
}
