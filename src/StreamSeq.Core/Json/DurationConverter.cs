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
        if (reader.TokenType == JsonTokenType.Number && TryFromSeconds(reader.GetDouble(), out var seconds))
        {
            return seconds;
        }
        if (reader.TokenType == JsonTokenType.String && TryParse(reader.GetString()!, out var value))
        {
            return value;
        }
        throw new JsonException("expected a duration from 0 to 30 days such as \"250ms\", \"2s\", \"1.5m\" or a number of seconds");
    }

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) => writer.WriteStringValue(Format(value));

    /// <summary>
    /// The longest duration accepted: 30 days. Longer waits are mistakes in a pipeline file, and timers
    /// (<see cref="Task.Delay(TimeSpan)"/>) refuse anything past 49.7 days.
    /// </summary>
    public static readonly TimeSpan Max = TimeSpan.FromDays(30);

    public static bool TryParse(string text, out TimeSpan value)
    {
        var match = UnitForm().Match(text);
        if (match.Success)
        {
            var number = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            var ticksPerUnit = match.Groups[2].Value switch
            {
                "us" => 10.0,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                _ => TimeSpan.TicksPerHour,
            };
            return TryFromTicks(number * ticksPerUnit, out value);
        }
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && text.Contains(':') && value >= TimeSpan.Zero && value <= Max;
    }

    /// <summary>A number of seconds as a duration, if it is in range.</summary>
    public static bool TryFromSeconds(double seconds, out TimeSpan value) => TryFromTicks(seconds * TimeSpan.TicksPerSecond, out value);

    private static bool TryFromTicks(double ticks, out TimeSpan value)
    {
        value = default;
        if (double.IsNaN(ticks) || ticks < 0 || ticks > Max.Ticks)
        {
            return false;
        }
        value = TimeSpan.FromTicks((long)ticks);
        return true;
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
