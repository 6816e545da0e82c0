using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using StreamSeq.Json;
using StreamSeq.Registry;

namespace StreamSeq.Pipelines;

/// <summary>
/// Binds a stage's <c>options</c> object to its options class, reporting every unknown key, wrongly typed
/// value, missing required value, out-of-range value and missing file at its place in the file.
/// </summary>
public static class OptionsBinder
{
    public static object? Bind(StageDescriptor descriptor, StageDefinition stage, string baseDirectory, List<PipelineDiagnostic> diagnostics)
    {
        var json = stage.Options;
        if (descriptor.OptionsType is null)
        {
            foreach (var property in json?.Properties ?? [])
            {
                diagnostics.Add(new(property.NameLocation, stage.Id, $"unknown option '{property.Name}': stage type '{descriptor.TypeName}' takes no options"));
            }
            return null;
        }

        var instance = Activator.CreateInstance(descriptor.OptionsType)!;
        var known = descriptor.Options.ToDictionary(o => o.Name, StringComparer.Ordinal);
        var valueLocations = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        var unbound = new HashSet<string>(StringComparer.Ordinal);
        var ok = true;
        foreach (var property in json?.Properties ?? [])
        {
            if (property.Name == "$comment")
            {
                continue;
            }
            if (!known.TryGetValue(property.Name, out var option))
            {
                diagnostics.Add(new(property.NameLocation, stage.Id,
                    $"unknown option '{property.Name}' for stage type '{descriptor.TypeName}'{Suggestions.Hint(property.Name, known.Keys)}"
                    + $" (options: {string.Join(", ", known.Keys)})"));
                ok = false;
                continue;
            }
            valueLocations[option.Property.Name] = property.Value.Location;
            try
            {
                var value = property.Value.ToElement().Deserialize(option.Property.PropertyType, OptionJson.Options);
                if (value is null && !AcceptsNull(option.Property))
                {
                    throw new JsonException();
                }
                option.Property.SetValue(instance, value);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Whatever a converter throws for a value (overflow included) is a problem of that value.
                diagnostics.Add(new(property.Value.Location, stage.Id,
                    $"option '{property.Name}' must be {Article(option.TypeName)}, not {property.Value.KindName} ({Shorten(property.Value)})"));
                unbound.Add(option.Property.Name);
                ok = false;
            }
        }
        var optionsLocation = json?.Location ?? stage.Location;
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(instance, new ValidationContext(instance), results, validateAllProperties: true);
        // A value that did not bind was reported; rules about it would only judge its default.
        foreach (var result in results.Where(r => !r.MemberNames.Any(unbound.Contains)))
        {
            var member = result.MemberNames.FirstOrDefault();
            var location = member is not null && valueLocations.TryGetValue(member, out var at) ? at : optionsLocation;
            var message = result.ErrorMessage ?? "invalid value";
            foreach (var name in result.MemberNames)
            {
                // DataAnnotations name the C# property; people wrote the JSON name.
                message = message.Replace($"The {name} field", $"option '{OptionNames.ToJson(name)}'", StringComparison.Ordinal)
                                 .Replace($"The field {name}", $"option '{OptionNames.ToJson(name)}'", StringComparison.Ordinal);
            }
            diagnostics.Add(new(location, stage.Id, message));
            ok = false;
        }
        foreach (var option in descriptor.Options)
        {
            if (option.Property.GetCustomAttribute<PathMustExistAttribute>() is { } pathRule
                && pathRule.Check(option.Property.GetValue(instance) as string, baseDirectory) is { } problem)
            {
                var location = valueLocations.TryGetValue(option.Property.Name, out var at) ? at : optionsLocation;
                diagnostics.Add(new(location, stage.Id, $"option '{option.Name}': {problem}"));
                ok = false;
            }
        }
        return ok ? instance : null;
    }

    private static readonly NullabilityInfoContext Nullability = new();

    private static bool AcceptsNull(PropertyInfo property)
        => property.PropertyType.IsValueType
            ? Nullable.GetUnderlyingType(property.PropertyType) is not null
            : Nullability.Create(property).WriteState != NullabilityState.NotNull;

    private static string Article(string typeName)
        => typeName.Contains('|') ? $"one of {typeName}" : (typeName[0] is 'a' or 'e' or 'i' or 'o' or 'u' ? "an " : "a ") + typeName;

    private static string Shorten(LocatedNode node)
    {
        var text = node.ToElement().GetRawText();
        return text.Length <= 40 ? text : text[..37] + "...";
    }
}
