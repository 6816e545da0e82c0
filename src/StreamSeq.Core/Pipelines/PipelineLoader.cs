using StreamSeq.Json;
using StreamSeq.Registry;

namespace StreamSeq.Pipelines;

/// <summary>A <c>--set id.option=value</c> override from the command line.</summary>
public sealed record PipelineOverride(string StageId, string Key, string Value)
{
    /// <summary>Parses <c>id.option=value</c>.</summary>
    public static PipelineOverride Parse(string text)
    {
        var equals = text.IndexOf('=');
        var dot = equals > 0 ? text.LastIndexOf('.', equals) : -1;
        if (equals <= 0 || dot <= 0 || dot == equals - 1)
        {
            throw new FormatException($"--set expects id.option=value, not '{text}'");
        }
        return new PipelineOverride(text[..dot], text[(dot + 1)..equals], text[(equals + 1)..]);
    }
}

/// <summary>Loads, overrides and validates pipeline files.</summary>
public static class PipelineLoader
{
    private static readonly string[] StageLevelSettings = ["capacity", "full", "onError", "parallelism"];

    /// <summary>Loads and validates a pipeline file, or throws with every problem found.</summary>
    /// <exception cref="PipelineValidationException">The file does not validate.</exception>
    public static PipelinePlan Load(string path, StageRegistry registry, IReadOnlyList<PipelineOverride>? overrides = null, string? baseDirectory = null)
    {
        var diagnostics = new List<PipelineDiagnostic>();
        var plan = TryLoad(path, registry, diagnostics, overrides, baseDirectory);
        return plan ?? throw new PipelineValidationException(diagnostics);
    }

    /// <summary>Loads and validates a pipeline file; returns null and fills <paramref name="diagnostics"/> when it does not validate.</summary>
    public static PipelinePlan? TryLoad(string path, StageRegistry registry, List<PipelineDiagnostic> diagnostics,
        IReadOnlyList<PipelineOverride>? overrides = null, string? baseDirectory = null)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.Add(new(new SourceLocation(path, 0, 0), null, $"cannot read the pipeline file: {e.Message}"));
            return null;
        }
        return TryLoad(bytes, path, registry, diagnostics, overrides, baseDirectory);
    }

    /// <summary>Validates pipeline text that claims to come from <paramref name="path"/>.</summary>
    public static PipelinePlan? TryLoad(byte[] utf8, string path, StageRegistry registry, List<PipelineDiagnostic> diagnostics,
        IReadOnlyList<PipelineOverride>? overrides = null, string? baseDirectory = null)
    {
        var definition = PipelineParser.Parse(utf8, path, diagnostics);
        if (definition is null)
        {
            return null;
        }
        foreach (var change in overrides ?? [])
        {
            Apply(definition, change, diagnostics);
        }
        var before = diagnostics.Count;
        var plan = PipelineCompiler.Compile(definition, registry, baseDirectory ?? Directory.GetCurrentDirectory(), diagnostics);
        // Checks run in passes (structure, graph, types, options); people read problems in file order.
        var found = diagnostics.Skip(before).OrderBy(d => d.Location.Line).ThenBy(d => d.Location.Column).ToList();
        diagnostics.RemoveRange(before, diagnostics.Count - before);
        diagnostics.AddRange(found);
        return diagnostics.Count == 0 ? plan : null;
    }

    private static void Apply(PipelineDefinition definition, PipelineOverride change, List<PipelineDiagnostic> diagnostics)
    {
        var origin = SourceLocation.Synthetic($"--set {change.StageId}.{change.Key}");
        var stage = definition.Stages.FirstOrDefault(s => s.Id == change.StageId);
        if (stage is null)
        {
            diagnostics.Add(new(origin, change.StageId, $"no stage has id '{change.StageId}'{Suggestions.Hint(change.StageId, definition.Stages.Select(s => s.Id))}"));
            return;
        }
        if (StageLevelSettings.Contains(change.Key))
        {
            var json = new LocatedObject(origin, [new LocatedProperty(change.Key, origin, LocatedValue.FromCommandLine(change.Value, origin))]);
            var probe = new List<PipelineDiagnostic>();
            var patched = PipelineParser.Parse(
                System.Text.Encoding.UTF8.GetBytes($"{{\"stages\":[{{\"id\":\"x\",\"type\":\"x\",{json.Properties[0].Name.Quote()}:{json.Properties[0].Value}}}]}}"),
                origin.File, probe);
            if (probe.Count > 0 || patched is null || patched.Stages.Count != 1)
            {
                diagnostics.AddRange(probe.Select(d => d with { Location = origin, StageId = change.StageId }));
                return;
            }
            var value = patched.Stages[0];
            stage.Capacity = change.Key == "capacity" ? value.Capacity : stage.Capacity;
            stage.Full = change.Key == "full" ? value.Full : stage.Full;
            stage.OnError = change.Key == "onError" ? value.OnError : stage.OnError;
            stage.Parallelism = change.Key == "parallelism" ? value.Parallelism : stage.Parallelism;
            stage.SettingLocations[change.Key] = origin;
            return;
        }
        var property = new LocatedProperty(change.Key, origin, LocatedValue.FromCommandLine(change.Value, origin));
        stage.Options = (stage.Options ?? new LocatedObject(origin, [])).With(property);
    }

    private static string Quote(this string text) => System.Text.Json.JsonSerializer.Serialize(text);
}
