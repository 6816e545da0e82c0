using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using StreamSeq.Json;

namespace StreamSeq.Stages;

/// <summary>Options of <c>sink.console</c>.</summary>
public sealed class ConsoleOptions
{
    [Description("Text put before each line, to tell several sinks apart")]
    public string Prefix { get; init; } = "";

    [Description("Show originating time, stream and sequence before the payload")]
    public bool ShowTime { get; init; } = true;
}

/// <summary>Prints packets for people: time, stream#sequence, and the payload (numbers and text as they are, the rest as JSON).</summary>
[Stage("sink.console", Description = "Prints packets for people to read (time, stream#seq, payload)")]
public sealed class ConsoleSink : SinkStage<object>
{
    private readonly ConsoleOptions _options;

    public ConsoleSink(ConsoleOptions options) => _options = options;

    public override async ValueTask ConsumeAsync(Packet<object> input, CancellationToken cancellationToken)
    {
        var payload = input.Payload switch
        {
            null => "null",
            string text => text,
            IFormattable number when input.Payload.GetType().IsPrimitive => number.ToString(null, CultureInfo.InvariantCulture),
            var other => JsonSerializer.Serialize(other, other.GetType(), OptionJson.Options),
        };
        var line = _options.ShowTime
            ? $"{_options.Prefix}{input.OriginatingTime:HH:mm:ss.fff} {input.StreamId}#{input.Sequence} {payload}"
            : _options.Prefix + payload;
        await Console.Out.WriteLineAsync(line.AsMemory(), cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask FlushAsync(CancellationToken cancellationToken) => await Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
}
