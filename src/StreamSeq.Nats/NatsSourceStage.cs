using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Client.ObjectStore;
using StreamSeq.Ingest;

namespace StreamSeq.Nats;

/// <summary>
/// A durable pull consumer on a JetStream work-queue stream. Every worker running the pipeline shares the
/// consumer, so each message goes to one of them. A message is acked when everything computed from it was
/// handled by every sink (the packet's <see cref="AckToken"/> settles <see cref="AckOutcome.Completed"/>);
/// a failure (a stage under <c>skip</c>) naks it with a delay, and after <c>maxDeliver</c> deliveries sends it
/// to the dead-letter subject and terminates it; a packet dropped or abandoned at shutdown is nakked at once
/// for another worker. While a message is still in the pipeline its ack wait is reset periodically, so slow
/// work is not redelivered.
/// </summary>
/// <remarks>Needs nats-server 2.9 or later (single filter subject); see <see cref="NatsConnector.MinimumServerVersion"/>.</remarks>
[Stage("nats.source", Description = "Durable pull consumer on a JetStream work-queue stream, shared by every worker; acks after the sinks")]
public sealed class NatsSourceStage : SourceStage<NatsMessage>
{
    private readonly NatsSourceOptions _options;
    private readonly ConcurrentDictionary<Delivery, byte> _inflight = new();
    private readonly Channel<(Delivery Delivery, AckOutcome Outcome)> _settled = Channel.CreateUnbounded<(Delivery, AckOutcome)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private ILogger _logger = NullLogger.Instance;
    private string _who = "nats.source";
    private NatsConnection? _connection;
    private NatsJSContext? _js;
    private Task? _settler;
    private Task? _progress;
    private NatsObjContext? _objects;

    public NatsSourceStage(NatsSourceOptions options) => _options = options;

    /// <summary>Messages delivered to this worker and not settled yet (diagnostics, tests).</summary>
    public int InFlight => _inflight.Count;

    public override ValueTask StartAsync(StageContext context, CancellationToken cancellationToken)
    {
        _logger = context.Logger;
        _who = $"pipeline '{context.PipelineName}' stage '{context.StageId}'";
        return ValueTask.CompletedTask;
    }

    public override async Task RunAsync(Emitter<NatsMessage> output, CancellationToken cancellationToken)
    {
        // Connecting retries by itself (unreachable server, unusable settings) until the run stops.
        _connection = await NatsConnector.ConnectAsync(_options.Connection, _who, _logger, cancellationToken).ConfigureAwait(false);
        _js = new NatsJSContext(_connection);
        _settler = Task.Run(SettleLoopAsync, CancellationToken.None);
        if (_options.EffectiveAckProgress > TimeSpan.Zero)
        {
            _progress = Task.Run(() => ProgressLoopAsync(_stopping.Token), CancellationToken.None);
        }
        var setUp = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var consumer = await SetUpAsync(_js, cancellationToken).ConfigureAwait(false);
                setUp.Reset();
                await ConsumeAsync(consumer, output, cancellationToken).ConfigureAwait(false);
                if (!cancellationToken.IsCancellationRequested)
                {
                    // The client ended the consume loop by itself (the consumer was deleted, too many errors).
                    _logger.LogWarning("{Who}: consuming from stream '{Stream}' ended; setting up again in {Delay:0.#} s", _who, _options.Stream, setUp.Initial.TotalSeconds);
                    await Task.Delay(setUp.Initial, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NatsException or TimeoutException or IOException)
            {
                // The client reconnects by itself; a consumer or stream that vanished, a 503 while the server
                // restarts, or a request that timed out while it was away is set up again here.
                setUp.TryNext(out var delay);
                _logger.LogWarning("{Who}: consuming from stream '{Stream}' stopped: {Reason}; setting up again in {Delay:0.#} s",
                    _who, _options.Stream, NatsConnector.Describe(e), delay.TotalSeconds);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<INatsJSConsumer> SetUpAsync(NatsJSContext js, CancellationToken cancellationToken)
    {
        var storage = _options.Storage == NatsStorage.Memory ? StreamConfigStorage.Memory : StreamConfigStorage.File;
        var subjects = _options.Subjects.Length > 0 ? _options.Subjects : [_options.Subject];
        await JetStreamSetup.EnsureStreamAsync(js, new StreamConfig(_options.Stream, subjects)
        {
            Retention = _options.Retention == NatsRetention.Limits ? StreamConfigRetention.Limits : StreamConfigRetention.Workqueue,
            Storage = storage,
        }, _logger, _who, cancellationToken).ConfigureAwait(false);
        if (_options.EffectiveDeadLetterStream is { } dead && _options.MaxDeliver > 0)
        {
            await JetStreamSetup.EnsureStreamAsync(js, new StreamConfig(dead, [_options.EffectiveDeadLetterSubject])
            {
                Retention = StreamConfigRetention.Limits,
                Storage = storage,
            }, _logger, _who, cancellationToken).ConfigureAwait(false);
        }
        // One filter subject (FilterSubjects, plural, is ignored by servers before 2.10). Workers with the same
        // options send the same configuration, so creating it concurrently is harmless.
        return await js.CreateOrUpdateConsumerAsync(_options.Stream, new ConsumerConfig(_options.Consumer)
        {
            DurableName = _options.Consumer,
            AckPolicy = ConsumerConfigAckPolicy.Explicit,
            AckWait = _options.AckWait,
            MaxDeliver = _options.MaxDeliver,
            MaxAckPending = _options.MaxAckPending,
            FilterSubject = _options.Subject,
            DeliverPolicy = ConsumerConfigDeliverPolicy.All,
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task ConsumeAsync(INatsJSConsumer consumer, Emitter<NatsMessage> output, CancellationToken cancellationToken)
    {
        var opts = new NatsJSConsumeOpts
        {
            MaxMsgs = _options.Prefetch,
            ThresholdMsgs = Math.Max(1, _options.Prefetch / 2),
        };
        await foreach (var msg in consumer.ConsumeAsync<byte[]>(opts: opts, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var metadata = msg.Metadata;
            var origin = new NatsOrigin(metadata?.Stream ?? _options.Stream, metadata?.Sequence.Stream ?? 0, msg.Subject, metadata?.NumDelivered ?? 1);
            var delivery = new Delivery(msg, origin);
            _inflight[delivery] = 0;
            var headers = Headers(msg.Headers);
            byte[] data;
            try
            {
                data = await BodyAsync(msg.Data ?? [], headers, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping while fetching a referenced body: give the message back now.
                Settle(delivery, AckOutcome.Dropped);
                throw;
            }
            catch (Exception e)
            {
                _logger.LogWarning("{Who}: message {Origin} refers to media that cannot be read: {Reason}", _who, origin, NatsConnector.Describe(e));
                Settle(delivery, AckOutcome.Failed);
                continue;
            }
            var ack = new AckToken(outcome => Settle(delivery, outcome));
            origin.Attach(ack);
            var payload = new NatsMessage(msg.Subject, data, headers, origin);
            var time = OriginatingTime(headers, metadata);
            var pending = output.EmitAsync(payload, time, ack, cancellationToken);
            if (!pending.IsCompletedSuccessfully)
            {
                await pending.ConfigureAwait(false);
            }
        }
    }

    private static Dictionary<string, string> Headers(NatsHeaders? headers)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (headers is not null)
        {
            foreach (var (key, values) in headers)
            {
                if (values.Count > 0 && values[0] is { } first)
                {
                    result[key] = first;
                }
            }
        }
        return result;
    }

    private static DateTime OriginatingTime(Dictionary<string, string> headers, NatsJSMsgMetadata? metadata)
    {
        if (headers.TryGetValue(StreamSeqHeaders.Time, out var text)
            && DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time))
        {
            return time.ToUniversalTime();
        }
        return metadata?.Timestamp.UtcDateTime ?? DateTime.UtcNow;
    }

    private async ValueTask<byte[]> BodyAsync(byte[] body, Dictionary<string, string> headers, CancellationToken cancellationToken)
    {
        if (!_options.ResolveReferences || !headers.TryGetValue(StreamSeqHeaders.Reference, out var reference))
        {
            return body;
        }
        var uri = new Uri(reference);
        switch (uri.Scheme)
        {
            case "file":
                return await File.ReadAllBytesAsync(uri.LocalPath, cancellationToken).ConfigureAwait(false);
            case "objectstore":
                _objects ??= new NatsObjContext(_js!);
                var store = await _objects.GetObjectStoreAsync(uri.Host, cancellationToken).ConfigureAwait(false);
                return await store.GetBytesAsync(Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')), cancellationToken).ConfigureAwait(false);
            default:
                throw new NotSupportedException($"unknown reference scheme '{uri.Scheme}' in {StreamSeqHeaders.Reference}: {reference}");
        }
    }

    // Runs on whichever thread released the packet's last share: hand over, never block.
    private void Settle(Delivery delivery, AckOutcome outcome)
    {
        if (!_settled.Writer.TryWrite((delivery, outcome)))
        {
            // Stopped already: the server redelivers after ackWait, and the sink's message ids absorb the repeat.
            _inflight.TryRemove(delivery, out _);
        }
    }

    private async Task SettleLoopAsync()
    {
        await foreach (var (delivery, outcome) in _settled.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await SettleAsync(delivery, outcome).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _logger.LogWarning("{Who}: could not settle message {Origin} ({Outcome}): {Reason}; the server delivers it again after ackWait",
                    _who, delivery.Origin, outcome, NatsConnector.Describe(e));
            }
            finally
            {
                _inflight.TryRemove(delivery, out _);
            }
        }
    }

    private async Task SettleAsync(Delivery delivery, AckOutcome outcome)
    {
        var msg = delivery.Message;
        switch (outcome)
        {
            case AckOutcome.Completed:
                await msg.AckAsync().ConfigureAwait(false);
                break;
            case AckOutcome.Dropped:
                // Not handled here (a drop, a shutdown): let another worker have it now.
                await msg.NakAsync().ConfigureAwait(false);
                break;
            default:
                var attempt = delivery.Origin.Delivery;
                if (_options.MaxDeliver > 0 && attempt >= (ulong)_options.MaxDeliver)
                {
                    await DeadLetterAsync(delivery).ConfigureAwait(false);
                    await msg.AckTerminateAsync().ConfigureAwait(false);
                }
                else
                {
                    await msg.NakAsync(new AckOpts { NakDelay = _options.DelayAfterFailure(attempt) }).ConfigureAwait(false);
                }
                break;
        }
    }

    private async Task DeadLetterAsync(Delivery delivery)
    {
        var msg = delivery.Message;
        var headers = new NatsHeaders();
        if (msg.Headers is { } original)
        {
            foreach (var (key, values) in original)
            {
                if (!key.StartsWith("Nats-", StringComparison.OrdinalIgnoreCase))
                {
                    headers[key] = values;
                }
            }
        }
        headers[StreamSeqHeaders.Origin] = delivery.Origin.Id;
        headers[StreamSeqHeaders.DeadSubject] = msg.Subject;
        headers[StreamSeqHeaders.DeadReason] = $"failed in {delivery.Origin.Delivery} deliveries (maxDeliver {_options.MaxDeliver})";
        var subject = _options.EffectiveDeadLetterSubject;
        if (_options.EffectiveDeadLetterStream is not null)
        {
            var ack = await _js!.PublishAsync(subject, msg.Data ?? [], headers: headers,
                opts: new NatsJSPubOpts { MsgId = $"dead:{delivery.Origin.Id}" }).ConfigureAwait(false);
            if (!ack.Duplicate)
            {
                // A duplicate is the point of the message id: this result (or dead letter, or sample) is stored already.
                ack.EnsureSuccess();
            }
        }
        else
        {
            await _connection!.PublishAsync(subject, msg.Data ?? [], headers).ConfigureAwait(false);
        }
        _logger.LogWarning("{Who}: message {Origin} failed {Attempts} times; sent to dead-letter subject '{Subject}'",
            _who, delivery.Origin, delivery.Origin.Delivery, subject);
    }

    private async Task ProgressLoopAsync(CancellationToken cancellationToken)
    {
        var interval = _options.EffectiveAckProgress;
        using var timer = new PeriodicTimer(TimeSpan.FromTicks(Math.Max(interval.Ticks / 2, TimeSpan.FromMilliseconds(50).Ticks)));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var now = Environment.TickCount64;
                foreach (var delivery in _inflight.Keys)
                {
                    if (now - Volatile.Read(ref delivery.LastTouched) < interval.TotalMilliseconds)
                    {
                        continue;
                    }
                    Volatile.Write(ref delivery.LastTouched, now);
                    try
                    {
                        await delivery.Message.AckProgressAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // Settled meanwhile, or disconnected: the next tick (or the settle) takes care of it.
                        _logger.LogDebug("{Who}: in-progress ack of {Origin} failed: {Reason}", _who, delivery.Origin, e.Message);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public override async ValueTask StopAsync()
    {
        // Packets emitted before the stop still reach the sinks after RunAsync returned; give their acks a
        // bounded time to go out before the connection closes (what misses it is redelivered and deduplicated).
        var deadline = Environment.TickCount64 + (long)_options.SettleTimeout.TotalMilliseconds;
        while (!_inflight.IsEmpty && Environment.TickCount64 < deadline && _settler is not null)
        {
            await Task.Delay(20).ConfigureAwait(false);
        }
        _settled.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_settler is not null)
        {
            await _settler.ConfigureAwait(false);
        }
        if (_progress is not null)
        {
            await _progress.ConfigureAwait(false);
        }
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }
        _stopping.Dispose();
    }

    private sealed class Delivery(INatsJSMsg<byte[]> message, NatsOrigin origin)
    {
        public readonly INatsJSMsg<byte[]> Message = message;
        public readonly NatsOrigin Origin = origin;
        public long LastTouched = Environment.TickCount64;
    }
}
