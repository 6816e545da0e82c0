using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using StreamSeq.Json;
using StreamSeq.Ingest;

namespace StreamSeq.Nats;

/// <summary>Options of <c>nats.sink</c>.</summary>
public sealed class NatsSinkOptions : IValidatableObject
{
    [Description("Name of the connection in the settings (Nats:Connections:NAME); never a URL")]
    public string Connection { get; init; } = NatsConnectionSettings.DefaultName;

    [Description("Subject results are published to")]
    [RequiredOption]
    public string Subject { get; init; } = "";

    [Description("Stream that stores the results, created when missing (limits retention, the subject); empty: one must already capture the subject")]
    public string Stream { get; init; } = "";

    [Description("How long the results stream remembers message ids to drop repeated results (when this stage creates it)")]
    public TimeSpan DuplicateWindow { get; init; } = TimeSpan.FromMinutes(2);

    [Description("Storage of the results stream when this stage creates it")]
    public NatsStorage Storage { get; init; } = NatsStorage.File;

    [Description("How long one result may keep being retried (server away, no stream answering) before the packet fails")]
    public TimeSpan PublishTimeout { get; init; } = TimeSpan.FromSeconds(60);

    [Description("Publish only the payload as JSON, without time, stream, sequence, origin and worker")]
    public bool PayloadOnly { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var problems = new List<ValidationResult>();
        if (Subject.Length > 0 && JetStreamSetup.CheckSubject(Subject, "subject", allowWildcards: false) is { } subject)
        {
            problems.Add(new ValidationResult(subject, [nameof(Subject)]));
        }
        if (Stream.Length > 0 && JetStreamSetup.CheckName(Stream, "stream") is { } stream)
        {
            problems.Add(new ValidationResult(stream, [nameof(Stream)]));
        }
        if (DuplicateWindow < TimeSpan.FromSeconds(1))
        {
            problems.Add(new ValidationResult("'duplicateWindow' must be at least 1s", [nameof(DuplicateWindow)]));
        }
        if (PublishTimeout <= TimeSpan.Zero)
        {
            problems.Add(new ValidationResult("'publishTimeout' must be positive", [nameof(PublishTimeout)]));
        }
        if (NatsStageSettings.CheckConnection(Connection) is { } connection)
        {
            problems.Add(new ValidationResult(connection, [nameof(Connection)]));
        }
        return problems;
    }
}

/// <summary>
/// Publishes each result as JSON to a JetStream subject with a deterministic message id: the id of the work
/// message it was computed from (<c>STREAM:SEQUENCE</c>, plus <c>:N</c> for the N-th further result of the same
/// message). A result computed again after a redelivery is then dropped by the stream's duplicate window,
/// which makes the at-least-once work queue effectively-once for results. Results that do not descend from
/// exactly one NATS message (an aggregate of several) are published without an id.
/// </summary>
[Stage("nats.sink", Description = "Publishes results as JSON to JetStream with a deterministic message id (effectively-once)")]
public sealed class NatsSinkStage : SinkStage<object>
{
    private readonly NatsSinkOptions _options;
    // Per origin (one delivery of one work message), how many results this sink published: the message id of
    // each further result gets its index, so fan-out results do not collapse into one.
    private readonly ConditionalWeakTable<NatsOrigin, StrongBox<int>> _counts = new();
    private readonly ArrayBufferWriter _buffer = new();
    private ILogger _logger = NullLogger.Instance;
    private string _who = "nats.sink";
    private NatsConnection? _connection;
    private NatsJSContext? _js;

    public NatsSinkStage(NatsSinkOptions options) => _options = options;

    public override async ValueTask StartAsync(StageContext context, CancellationToken cancellationToken)
    {
        _logger = context.Logger;
        _who = $"pipeline '{context.PipelineName}' stage '{context.StageId}'";
        _connection = await NatsConnector.ConnectAsync(_options.Connection, _who, _logger, cancellationToken).ConfigureAwait(false);
        _js = new NatsJSContext(_connection);
        if (_options.Stream.Length > 0)
        {
            await RetryAsync(() => JetStreamSetup.EnsureStreamAsync(_js, new StreamConfig(_options.Stream, [_options.Subject])
            {
                Retention = StreamConfigRetention.Limits,
                Storage = _options.Storage == NatsStorage.Memory ? StreamConfigStorage.Memory : StreamConfigStorage.File,
                DuplicateWindow = _options.DuplicateWindow,
            }, _logger, _who, cancellationToken), "creating the results stream", cancellationToken).ConfigureAwait(false);
        }
    }

    public override async ValueTask ConsumeAsync(Packet<object> input, CancellationToken cancellationToken)
    {
        var origin = NatsOrigin.Of(input);
        string? id = null;
        if (origin is not null)
        {
            var count = _counts.GetOrCreateValue(origin);
            var index = count.Value++;
            id = index == 0 ? origin.Id : $"{origin.Id}:{index}";
        }
        var body = Serialize(input, origin);
        var headers = new NatsHeaders
        {
            [StreamSeqHeaders.StreamId] = input.StreamId,
            [StreamSeqHeaders.Time] = input.OriginatingTime.ToString("O", CultureInfo.InvariantCulture),
            [StreamSeqHeaders.Sequence] = input.Sequence.ToString(CultureInfo.InvariantCulture),
            [StreamSeqHeaders.ContentType] = "application/json",
            [StreamSeqHeaders.Worker] = NatsStageSettings.Worker,
        };
        if (origin is not null)
        {
            headers[StreamSeqHeaders.Origin] = origin.Id;
        }
        var opts = new NatsJSPubOpts { MsgId = id };
        await RetryAsync(async () =>
        {
            var ack = await _js!.PublishAsync(_options.Subject, body, headers: headers, opts: opts, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!ack.Duplicate)
            {
                // A duplicate is the point of the message id: this result (or dead letter, or sample) is stored already.
                ack.EnsureSuccess();
            }
            return ack;
        }, $"publishing result {id ?? input.StreamId + "#" + input.Sequence}", cancellationToken).ConfigureAwait(false);
    }

    private byte[] Serialize(in Packet<object> input, NatsOrigin? origin)
    {
        _buffer.Clear();
        using (var writer = new Utf8JsonWriter(_buffer))
        {
            var payload = input.Payload;
            if (_options.PayloadOnly)
            {
                JsonSerializer.Serialize(writer, payload, payload?.GetType() ?? typeof(object), OptionJson.Options);
            }
            else
            {
                writer.WriteStartObject();
                writer.WriteString("time", input.OriginatingTime);
                writer.WriteString("stream", input.StreamId);
                writer.WriteNumber("seq", input.Sequence);
                if (origin is not null)
                {
                    writer.WriteString("origin", origin.Id);
                    writer.WriteString("subject", origin.Subject);
                    writer.WriteNumber("delivery", origin.Delivery);
                }
                writer.WriteString("worker", NatsStageSettings.Worker);
                writer.WritePropertyName("payload");
                JsonSerializer.Serialize(writer, payload, payload?.GetType() ?? typeof(object), OptionJson.Options);
                writer.WriteEndObject();
            }
        }
        return _buffer.ToArray();
    }

    // The server may be restarting or a stream may be electing a leader: keep trying for publishTimeout, so a
    // short outage delays results instead of failing (and redelivering) every packet in flight.
    private async Task<T> RetryAsync<T>(Func<Task<T>> action, string what, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + (long)_options.PublishTimeout.TotalMilliseconds;
        var retry = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await action().ConfigureAwait(false);
            }
            catch (Exception e) when (e is NatsException or TimeoutException or IOException && !cancellationToken.IsCancellationRequested
                && Environment.TickCount64 + retry.NextDelay.TotalMilliseconds < deadline)
            {
                if (attempt == 1 || attempt % 10 == 0)
                {
                    _logger.LogWarning("{Who}: {What} failed: {Reason}; retrying (attempt {Attempt})", _who, what, NatsConnector.Describe(e), attempt);
                }
                retry.TryNext(out var delay);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public override async ValueTask StopAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }
    }

    /// <summary>A growable byte buffer the JSON writer fills (reused between packets; one sink instance runs one packet at a time).</summary>
    private sealed class ArrayBufferWriter : System.Buffers.IBufferWriter<byte>
    {
        private byte[] _array = new byte[4096];
        private int _length;

        public void Clear() => _length = 0;

        public byte[] ToArray() => _array.AsSpan(0, _length).ToArray();

        public void Advance(int count) => _length += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _array.AsMemory(_length);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _array.AsSpan(_length);
        }

        private void Ensure(int sizeHint)
        {
            if (_array.Length - _length < Math.Max(sizeHint, 1))
            {
                Array.Resize(ref _array, Math.Max(_array.Length * 2, _length + Math.Max(sizeHint, 256)));
            }
        }
    }
}
