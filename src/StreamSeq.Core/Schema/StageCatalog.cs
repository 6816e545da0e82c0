using System.Text.Json;
using System.Text.Json.Nodes;
using StreamSeq.Json;
using StreamSeq.Registry;

namespace StreamSeq.Schema;

/// <summary>The stage catalog: what <c>streamseq stages</c> prints, for people and (as JSON) for tools.</summary>
public static class StageCatalog
{
    public static JsonArray ToJson(StageRegistry registry)
    {
        var list = new JsonArray();
        foreach (var stage in registry.Stages.OrderBy(s => s.TypeName, StringComparer.Ordinal))
        {
            var options = new JsonArray();
            foreach (var option in stage.Options)
            {
                options.Add(new JsonObject
                {
                    ["name"] = option.Name,
                    ["type"] = option.TypeName,
                    ["default"] = DefaultValue(option),
                    ["required"] = option.Required,
                    ["description"] = option.Description,
                });
            }
            list.Add(new JsonObject
            {
                ["type"] = stage.TypeName,
                ["kind"] = OptionJson.EnumName(stage.Kind),
                ["description"] = stage.Description,
                ["input"] = stage.InputType is null ? null : TypeNames.Of(stage.InputType),
                ["inputs"] = stage.HasInputs ? (stage.ManyInputs ? "many" : "one") : "none",
                ["output"] = stage.OutputType is null ? null : TypeNames.Of(stage.OutputType),
                ["ports"] = new JsonArray(stage.Ports.Select(p => (JsonNode)new JsonObject
                {
                    ["name"] = p.Name,
                    ["type"] = TypeNames.Of(p.PayloadType),
                    ["required"] = p.Required,
                }).ToArray()),
                ["stateless"] = stage.Stateless,
                ["origin"] = stage.Origin,
                ["options"] = options,
            });
        }
        return list;
    }

    /// <summary>A table for people: one block per stage.</summary>
    public static string ToText(StageRegistry registry)
    {
        var text = new System.Text.StringBuilder();
        foreach (var stage in registry.Stages.OrderBy(s => s.TypeName, StringComparer.Ordinal))
        {
            var ports = $"{(stage.InputType is null ? "" : TypeNames.Of(stage.InputType) + (stage.ManyInputs ? "[many]" : ""))} -> {(stage.OutputType is null ? "" : TypeNames.Of(stage.OutputType))}".Trim();
            text.AppendLine($"{stage.TypeName}  ({OptionJson.EnumName(stage.Kind)}: {ports}){(stage.Origin == "built-in" ? "" : $"  [{stage.Origin}]")}");
            if (stage.Description.Length > 0)
            {
                text.AppendLine($"    {stage.Description}");
            }
            foreach (var port in stage.Ports)
            {
                text.AppendLine($"    input {port.Name}: {TypeNames.Of(port.PayloadType)}{(port.Required ? "" : " (optional)")}");
            }
            foreach (var option in stage.Options)
            {
                var value = option.Required ? "required" : "default " + (DefaultValue(option)?.ToJsonString() ?? "none");
                text.AppendLine($"    {option.Name,-14} {option.TypeName,-22} {value,-18} {option.Description}");
            }
            text.AppendLine();
        }
        return text.ToString();
    }

    internal static JsonNode? DefaultValue(OptionInfo option)
        => option.Default is null ? null : JsonSerializer.SerializeToNode(option.Default, option.Property.PropertyType, OptionJson.Options);
}
