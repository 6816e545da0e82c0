using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace StreamSeq.Json;

/// <summary>
/// Reads durations as people write them in config files: <c>"250ms"</c>, <c>"2s"</c>, <c>"1.5m"</c>, <c>"1h"</c>,
/// <c>"00:00:02"</c>, or a bare number of seconds. Writes the shortest unit form.
/// </summary>
public sealed partial class DurationConverter : JsonConverter<TimeSpan>
{
    /// <summary>The pattern the schema uses for durations.</summary>
    public const string Pattern = @"^\s*\d+(\.\d+)?\s*(us|ms|s|m|h)\s*$|^\d+:\d{2}:\d{2}(\.\d+)?$";

    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return TimeSpan.FromSeconds(reader.GetDouble());
        }
        if (reader.TokenType == JsonTokenType.String && TryParse(reader.GetString()!, out var value))
        {
            return value;
        }
        throw new JsonException("expected a duration such as \"250ms\", \"2s\", \"1.5m\" or a number of seconds");
    }

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) => writer.WriteStringValue(Format(value));

    public static bool TryParse(string text, out TimeSpan value)
    {
        var match = UnitForm().Match(text);
        if (match.Success)
        {
            var number = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            value = match.Groups[2].Value switch
            {
                "us" => TimeSpan.FromTicks((long)(number * 10)),
                "ms" => TimeSpan.FromMilliseconds(number),
                "s" => TimeSpan.FromSeconds(number),
                "m" => TimeSpan.FromMinutes(number),
                _ => TimeSpan.FromHours(number),
            };
            return true;
        }
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && text.Contains(':');
    }

    public static string Format(TimeSpan value)
    {
        if (value.Ticks % TimeSpan.TicksPerSecond == 0)
        {
            return value.TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s";
        }
        return value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) + "ms";
    }

    [GeneratedRegex(@"^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|m|h)\s*$")]
    private static partial Regex UnitForm();
}
