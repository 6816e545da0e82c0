using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using StreamSeq.Json;

namespace StreamSeq.Stages;

/// <summary>Options of <c>sink.jsonl</c>.</summary>
public sealed class JsonlOptions
{
    [Description("File to write, or - for standard output")]
    [RequiredOption]
    public string Path { get; init; } = "-";

    [Description("Append to an existing file instead of replacing it")]
    public bool Append { get; init; }

    [Description("Write only the payload, without time, stream and sequence")]
    public bool PayloadOnly { get; init; }

    [Description("Longest time a written line may wait in the buffer before it is flushed to the file")]
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Writes one JSON object per packet and line: <c>{"time":…,"stream":…,"seq":…,"payload":…}</c>. The file is
/// opened at start, flushed at most <c>flushInterval</c> after a write and at the end, and closed at stop.
/// </summary>
[Stage("sink.jsonl", Description = "One JSON object per packet per line, to a file or stdout")]
public sealed class JsonlSink : SinkStage<object>
{
    private readonly JsonlOptions _options;
    private Stream? _stream;
    private Utf8JsonWriter? _writer;
    private long _lastFlush;
    private bool _toStdout;

    public JsonlSink(JsonlOptions options) => _options = options;

    public override ValueTask StartAsync(StageContext context, CancellationToken cancellationToken)
    {
        _toStdout = _options.Path == "-";
        if (_toStdout)
        {
            _stream = Console.OpenStandardOutput();
        }
        else
        {
            var path = context.ResolvePath(_options.Path);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            // A restarted instance continues the file its predecessor wrote in this run.
            var append = _options.Append || context.Restarts > 0;
            _stream = new FileStream(path, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        }
        _writer = new Utf8JsonWriter(_stream, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        _lastFlush = Stopwatch.GetTimestamp();
        return ValueTask.CompletedTask;
    }

    public override async ValueTask ConsumeAsync(Packet<object> input, CancellationToken cancellationToken)
    {
        var writer = _writer!;
        try
        {
            Write(writer, input);
        }
        catch
        {
            // Never leave half an object in the file: drop what this packet wrote.
            writer.Reset();
            throw;
        }
        writer.Flush();
        writer.Reset();
        _stream!.WriteByte((byte)'\n');
        if (_toStdout || Stopwatch.GetElapsedTime(_lastFlush) >= _options.FlushInterval)
        {
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            _lastFlush = Stopwatch.GetTimestamp();
        }
    }

    private void Write(Utf8JsonWriter writer, Packet<object> input)
    {
        if (_options.PayloadOnly)
        {
            JsonSerializer.Serialize(writer, input.Payload, input.Payload?.GetType() ?? typeof(object), OptionJson.Options);
            return;
        }
        writer.WriteStartObject();
        writer.WriteString("time", input.OriginatingTime);
        writer.WriteString("stream", input.StreamId);
        writer.WriteNumber("seq", input.Sequence);
        writer.WritePropertyName("payload");
        JsonSerializer.Serialize(writer, input.Payload, input.Payload?.GetType() ?? typeof(object), OptionJson.Options);
        writer.WriteEndObject();
    }

    public override async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_stream is not null)
        {
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override async ValueTask StopAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
            _writer = null;
        }
        if (_stream is not null)
        {
            await _stream.FlushAsync().ConfigureAwait(false);
            await _stream.DisposeAsync().ConfigureAwait(false);
            _stream = null;
        }
    }
}
