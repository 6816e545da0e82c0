using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamSeq.Json;

/// <summary>The JSON conventions of pipeline files and of payloads written by sinks.</summary>
public static class OptionJson
{
    /// <summary>Kebab-case enums (<c>drop-oldest</c>), durations (<c>"2s"</c>), camelCase names.</summary>
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    /// <summary>The same, indented, for reports people read.</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = indented,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            // Options nested in objects are checked as strictly as top-level ones.
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            Converters =
            {
                new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false),
                new DurationConverter(),
            },
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>The kebab-case JSON spelling of an enum value.</summary>
    public static string EnumName(object value) => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString()!);
}
