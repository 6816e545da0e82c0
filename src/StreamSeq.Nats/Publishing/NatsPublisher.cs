using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Client.ObjectStore;
using NATS.Client.ObjectStore.Models;

namespace StreamSeq.Nats.Publishing;

/// <summary>How <see cref="NatsPublisher"/> publishes.</summary>
public sealed class PublishSettings
{
    /// <summary>Subject the samples go to (under the work stream's subjects).</summary>
    public required string Subject { get; init; }

    /// <summary>The id of the stream the samples belong to (a camera name); header <see cref="StreamSeqHeaders.StreamId"/>.</summary>
    public required string StreamId { get; init; }

    /// <summary>A work-queue stream to create for <see cref="Subject"/> when none captures it; null creates none.</summary>
    public string? WorkStream { get; init; }

    /// <summary>Subjects of <see cref="WorkStream"/> when it is created; default <c>FIRST.&gt;</c> for a subject <c>FIRST.rest</c> (every camera under one stream).</summary>
    public string[] WorkSubjects { get; init; } = [];

    /// <summary>Object-store bucket for samples larger than fits in a message.</summary>
    public string Bucket { get; init; } = "streamseq-media";

    /// <summary>How long objects stay in <see cref="Bucket"/> when this run creates it (workers must fetch them before).</summary>
    public TimeSpan BucketMaxAge { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Largest body sent inline; larger ones go by reference. Default: the server's max payload less room for headers.</summary>
    public int? MaxInline { get; init; }

    /// <summary>Publish at media speed (a live camera) rather than as fast as the server takes them.</summary>
    public bool Realtime { get; init; }

    /// <summary>Originating time of the first sample; default now.</summary>
    public DateTime? Start { get; init; }
}

/// <summary>What a publish run did.</summary>
/// <param name="Messages">Messages published.</param>
/// <param name="Bytes">Bytes of samples published (inline and by reference).</param>
/// <param name="ByReference">Samples stored in the object store and sent by reference.</param>
/// <param name="Elapsed">Wall-clock time.</param>
public sealed record PublishSummary(long Messages, long Bytes, long ByReference, TimeSpan Elapsed);

/// <summary>
/// The camera-gateway side: publishes encoded samples to a JetStream subject, each with the StreamSeq headers
/// (stream id, originating time, sequence, content type) and a message id, so a publish retried after a
/// lost acknowledgement is stored once. A sample larger than the server's max payload goes to the object store
/// and the message carries a <see cref="StreamSeqHeaders.Reference"/> instead; raw frames are never sent.
/// </summary>
public sealed class NatsPublisher(NatsConnection connection, ILogger logger)
{
    private const int HeaderRoom = 4096;

    /// <summary><c>frames.&gt;</c> for <c>frames.cam1</c>; a one-token subject stands for itself.</summary>
    public static string DefaultStreamSubject(string subject)
        => subject.IndexOf('.', StringComparison.Ordinal) is > 0 and var dot ? subject[..dot] + ".>" : subject;

    /// <summary>Publishes every item; returns what was published.</summary>
    public async Task<PublishSummary> PublishAsync(IEnumerable<MediaItem> items, PublishSettings settings, CancellationToken cancellationToken)
    {
        var js = new NatsJSContext(connection);
        if (settings.WorkStream is { } streamName)
        {
            await JetStreamSetup.EnsureStreamAsync(js, new StreamConfig(streamName, settings.WorkSubjects.Length > 0 ? settings.WorkSubjects : [DefaultStreamSubject(settings.Subject)])
            {
                Retention = StreamConfigRetention.Workqueue,
                Storage = StreamConfigStorage.File,
            }, logger, "publish", cancellationToken).ConfigureAwait(false);
        }
        var maxInline = settings.MaxInline ?? Math.Max(1024, (int)(connection.ServerInfo?.MaxPayload ?? 1024 * 1024) - HeaderRoom);
        var start = settings.Start ?? DateTime.UtcNow;
        // One id per run: the message ids dedupe retries within this run, not a deliberate second publish.
        var run = Guid.NewGuid().ToString("N")[..8];
        var clock = Stopwatch.StartNew();
        long sequence = 0, bytes = 0, byReference = 0;
        INatsObjStore? store = null;
        foreach (var item in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (settings.Realtime && item.Offset - clock.Elapsed is { } ahead && ahead > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(ahead, cancellationToken).ConfigureAwait(false);
            }
            var headers = new NatsHeaders
            {
                [StreamSeqHeaders.StreamId] = settings.StreamId,
                [StreamSeqHeaders.Time] = (start + item.Offset).ToString("O", CultureInfo.InvariantCulture),
                [StreamSeqHeaders.Sequence] = sequence.ToString(CultureInfo.InvariantCulture),
                [StreamSeqHeaders.ContentType] = item.ContentType,
            };
            var body = item.Data;
            if (body.Length > maxInline)
            {
                store ??= await new NatsObjContext(js).CreateObjectStoreAsync(new NatsObjConfig(settings.Bucket) { MaxAge = settings.BucketMaxAge }, cancellationToken).ConfigureAwait(false);
                var key = $"{settings.StreamId}/{run}/{sequence}";
                await store.PutAsync(key, body, cancellationToken).ConfigureAwait(false);
                headers[StreamSeqHeaders.Reference] = $"objectstore://{settings.Bucket}/{Uri.EscapeDataString(key)}";
                body = [];
                byReference++;
            }
            var ack = await js.PublishAsync(settings.Subject, body, headers: headers,
                opts: new NatsJSPubOpts { MsgId = $"{settings.StreamId}:{run}:{sequence}" }, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!ack.Duplicate)
            {
                // A duplicate is the point of the message id: this result (or dead letter, or sample) is stored already.
                ack.EnsureSuccess();
            }
            bytes += item.Data.Length;
            sequence++;
        }
        return new PublishSummary(sequence, bytes, byReference, clock.Elapsed);
    }
}
