using System.Text.Json;
using System.Text.RegularExpressions;
using StreamSeq.Json;
using StreamSeq.Registry;

namespace StreamSeq.Pipelines;

/// <summary>
/// Reads the structure of a pipeline file (keys, value kinds, policies) into a <see cref="PipelineDefinition"/>,
/// collecting every problem instead of stopping at the first. Graph and stage checks come after, in
/// <see cref="PipelineCompiler"/>.
/// </summary>
public static partial class PipelineParser
{
    private static readonly string[] RootKeys = ["$schema", "$comment", "name", "description", "defaults", "stages"];
    private static readonly string[] StageKeys = ["id", "type", "input", "inputs", "options", "capacity", "full", "onError", "restart", "parallelism", "description", "$comment"];
    private static readonly string[] DefaultsKeys = ["capacity", "full", "onError", "restart", "$comment"];
    private static readonly string[] RestartKeys = ["maxAttempts", "delay", "maxDelay"];

    /// <summary>The default capacity of an edge.</summary>
    public const int DefaultCapacity = 64;

    public static PipelineDefinition? Parse(byte[] utf8, string file, List<PipelineDiagnostic> diagnostics)
    {
        LocatedNode root;
        try
        {
            root = LocatedJsonParser.Parse(utf8, file);
        }
        catch (LocatedJsonException e)
        {
            diagnostics.Add(new(e.Location, null, e.Message));
            return null;
        }
        if (root is not LocatedObject pipeline)
        {
            diagnostics.Add(new(root.Location, null, $"a pipeline file holds a JSON object, not {root.KindName}"));
            return null;
        }
        CheckKeys(pipeline, RootKeys, null, "pipeline", diagnostics);

        var name = Path.GetFileNameWithoutExtension(file);
        if (pipeline.Find("name") is { } nameProperty)
        {
            name = ReadString(nameProperty, null, diagnostics) ?? name;
        }

        var defaults = new StageDefinition
        {
            Id = "(defaults)", Location = pipeline.Location, Type = "", TypeLocation = pipeline.Location, Inputs = [],
            Capacity = DefaultCapacity, Full = FullMode.Wait, OnError = ErrorPolicy.Stop,
        };
        if (pipeline.Find("defaults") is { } defaultsProperty)
        {
            if (defaultsProperty.Value is LocatedObject defaultsObject)
            {
                CheckKeys(defaultsObject, DefaultsKeys, null, "defaults", diagnostics);
                ReadPolicies(defaultsObject, defaults, null, diagnostics);
            }
            else
            {
                diagnostics.Add(new(defaultsProperty.Value.Location, null, $"'defaults' must be an object, not {defaultsProperty.Value.KindName}"));
            }
        }

        var stages = new List<StageDefinition>();
        var stagesProperty = pipeline.Find("stages");
        if (stagesProperty is null)
        {
            diagnostics.Add(new(pipeline.Location, null, "missing 'stages': a pipeline lists its stages"));
        }
        else if (stagesProperty.Value is not LocatedArray stageArray)
        {
            diagnostics.Add(new(stagesProperty.Value.Location, null, $"'stages' must be an array, not {stagesProperty.Value.KindName}"));
        }
        else if (stageArray.Items.Count == 0)
        {
            diagnostics.Add(new(stageArray.Location, null, "'stages' is empty"));
        }
        else
        {
            var index = 0;
            foreach (var item in stageArray.Items)
            {
                index++;
                if (item is not LocatedObject stageObject)
                {
                    diagnostics.Add(new(item.Location, null, $"stage #{index} must be an object, not {item.KindName}"));
                    continue;
                }
                if (ParseStage(stageObject, index, defaults, diagnostics) is { } stage)
                {
                    stages.Add(stage);
                }
            }
        }

        return new PipelineDefinition { Name = name, FilePath = file, Location = pipeline.Location, Stages = stages };
    }

    private static StageDefinition? ParseStage(LocatedObject json, int index, StageDefinition defaults, List<PipelineDiagnostic> diagnostics)
    {
        string? id = null;
        if (json.Find("id") is { } idProperty)
        {
            id = ReadString(idProperty, null, diagnostics);
            if (id is not null && !IdPattern().IsMatch(id))
            {
                diagnostics.Add(new(idProperty.Value.Location, id, "an id uses letters, digits, '_', '-' and '.', and starts with a letter or digit"));
            }
        }
        else
        {
            diagnostics.Add(new(json.Location, null, $"stage #{index} has no 'id'"));
        }
        var label = id ?? $"#{index}";
        CheckKeys(json, StageKeys, label, "stage", diagnostics);

        string? type = null;
        var typeLocation = json.Location;
        if (json.Find("type") is { } typeProperty)
        {
            type = ReadString(typeProperty, label, diagnostics);
            typeLocation = typeProperty.Value.Location;
        }
        else
        {
            diagnostics.Add(new(json.Location, label, "missing 'type'"));
        }

        var inputs = new List<InputReference>();
        var input = json.Find("input");
        var many = json.Find("inputs");
        if (input is not null && many is not null)
        {
            diagnostics.Add(new(many.NameLocation, label, "give either 'input' or 'inputs', not both"));
        }
        if (input is not null && ReadString(input, label, diagnostics) is { } upstream)
        {
            inputs.Add(new InputReference("in", upstream, input.Value.Location));
        }
        if (many is not null)
        {
            switch (many.Value)
            {
                case LocatedArray list:
                    foreach (var item in list.Items)
                    {
                        if (item is LocatedValue { AsString: { } name })
                        {
                            inputs.Add(new InputReference(name, name, item.Location));
                        }
                        else
                        {
                            diagnostics.Add(new(item.Location, label, $"each entry of 'inputs' names a stage (a string), not {item.KindName}"));
                        }
                    }
                    break;
                case LocatedObject ports:
                    foreach (var port in ports.Properties)
                    {
                        if (ReadString(port, label, diagnostics) is { } name)
                        {
                            inputs.Add(new InputReference(port.Name, name, port.Value.Location));
                        }
                    }
                    break;
                default:
                    diagnostics.Add(new(many.Value.Location, label, $"'inputs' must be a list of stage ids or an object of port: stage id, not {many.Value.KindName}"));
                    break;
            }
        }

        LocatedObject? options = null;
        if (json.Find("options") is { } optionsProperty)
        {
            options = optionsProperty.Value as LocatedObject;
            if (options is null)
            {
                diagnostics.Add(new(optionsProperty.Value.Location, label, $"'options' must be an object, not {optionsProperty.Value.KindName}"));
            }
        }

        if (id is null || type is null)
        {
            return null;
        }
        var stage = new StageDefinition
        {
            Id = id, Location = json.Location, Type = type, TypeLocation = typeLocation, Inputs = inputs,
            ManyInputsSyntax = many is not null, Options = options,
            Capacity = defaults.Capacity, Full = defaults.Full, OnError = defaults.OnError, Restart = defaults.Restart,
        };
        ReadPolicies(json, stage, label, diagnostics);
        return stage;
    }

    private static void ReadPolicies(LocatedObject json, StageDefinition target, string? label, List<PipelineDiagnostic> diagnostics)
    {
        foreach (var property in json.Properties)
        {
            target.SettingLocations[property.Name] = property.Value.Location;
            switch (property.Name)
            {
                case "capacity":
                    if (ReadInt(property, label, 1, 1_000_000, diagnostics) is { } capacity)
                    {
                        target.Capacity = capacity;
                    }
                    break;
                case "parallelism":
                    if (ReadInt(property, label, 1, 64, diagnostics) is { } parallelism)
                    {
                        target.Parallelism = parallelism;
                    }
                    break;
                case "full":
                    if (ReadEnum<FullMode>(property, label, diagnostics) is { } full)
                    {
                        target.Full = full;
                    }
                    break;
                case "onError":
                    if (ReadEnum<ErrorPolicy>(property, label, diagnostics) is { } policy)
                    {
                        target.OnError = policy;
                    }
                    break;
                case "restart":
                    if (property.Value is not LocatedObject restart)
                    {
                        diagnostics.Add(new(property.Value.Location, label, $"'restart' must be an object, not {property.Value.KindName}"));
                        break;
                    }
                    CheckKeys(restart, RestartKeys, label, "restart", diagnostics);
                    var policyValue = target.Restart;
                    if (restart.Find("maxAttempts") is { } attempts && ReadInt(attempts, label, 0, 1000, diagnostics) is { } max)
                    {
                        policyValue = policyValue with { MaxAttempts = max };
                    }
                    if (restart.Find("delay") is { } delay && ReadDuration(delay, label, diagnostics) is { } d)
                    {
                        policyValue = policyValue with { Delay = d };
                    }
                    if (restart.Find("maxDelay") is { } maxDelay && ReadDuration(maxDelay, label, diagnostics) is { } md)
                    {
                        policyValue = policyValue with { MaxDelay = md };
                    }
                    target.Restart = policyValue;
                    break;
            }
        }
    }

    internal static void CheckKeys(LocatedObject json, string[] allowed, string? label, string what, List<PipelineDiagnostic> diagnostics)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in json.Properties)
        {
            if (!seen.Add(property.Name))
            {
                diagnostics.Add(new(property.NameLocation, label, $"'{property.Name}' is given twice"));
            }
            if (!allowed.Contains(property.Name))
            {
                var hint = Suggestions.Hint(property.Name, allowed.Where(k => !k.StartsWith('$')));
                diagnostics.Add(new(property.NameLocation, label, $"unknown key '{property.Name}' in {what}{hint}"));
            }
        }
    }

    private static string? ReadString(LocatedProperty property, string? label, List<PipelineDiagnostic> diagnostics)
    {
        if (property.Value is LocatedValue { AsString: { } text } && text.Length > 0)
        {
            return text;
        }
        diagnostics.Add(new(property.Value.Location, label, $"'{property.Name}' must be a non-empty string, not {property.Value.KindName}"));
        return null;
    }

    private static int? ReadInt(LocatedProperty property, string? label, int min, int max, List<PipelineDiagnostic> diagnostics)
    {
        var element = property.Value.ToElement();
        if (element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var value))
        {
            if (value >= min && value <= max)
            {
                return value;
            }
            diagnostics.Add(new(property.Value.Location, label, $"'{property.Name}' must be between {min} and {max}, not {value}"));
            return null;
        }
        diagnostics.Add(new(property.Value.Location, label, $"'{property.Name}' must be an integer, not {property.Value.KindName}"));
        return null;
    }

    private static T? ReadEnum<T>(LocatedProperty property, string? label, List<PipelineDiagnostic> diagnostics) where T : struct, Enum
    {
        var names = Enum.GetValues<T>().ToDictionary(v => OptionJson.EnumName(v), v => v);
        if (property.Value is LocatedValue { AsString: { } text } && names.TryGetValue(text, out var value))
        {
            return value;
        }
        diagnostics.Add(new(property.Value.Location, label,
            $"'{property.Name}' must be one of {string.Join(", ", names.Keys.Select(n => $"'{n}'"))}, not {property.Value}"));
        return null;
    }

    private static TimeSpan? ReadDuration(LocatedProperty property, string? label, List<PipelineDiagnostic> diagnostics)
    {
        var element = property.Value.ToElement();
        if (element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var number) && DurationConverter.TryFromSeconds(number, out var seconds))
        {
            return seconds;
        }
        if (element.ValueKind == JsonValueKind.String && DurationConverter.TryParse(element.GetString()!, out var value) && value >= TimeSpan.Zero)
        {
            return value;
        }
        diagnostics.Add(new(property.Value.Location, label, $"'{property.Name}' must be a duration from 0 to 30 days such as \"250ms\" or \"2s\", not {property.Value}"));
        return null;
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
    private static partial Regex IdPattern();
}
