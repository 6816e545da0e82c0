using System.CommandLine;
using Microsoft.Extensions.Logging;
using StreamSeq.Nats;
using StreamSeq.Nats.Publishing;

namespace StreamSeq.Cli.Commands;

/// <summary>
/// <c>streamseq publish INPUT --subject S</c>: the camera-gateway side of scale-out. Publishes a video file
/// (frames encoded to JPEG/PNG), a folder of images or an audio file (16-bit PCM chunks) to a NATS JetStream
/// subject, with the StreamSeq headers workers read (stream id, originating time, sequence, content type).
/// The connection comes from the settings (<c>Nats:Connections:NAME</c>), never from the command line.
/// </summary>
internal static class PublishCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "A video file, a folder of images, or an audio file" };
        var subject = new Option<string>("--subject", "-s") { Description = "Subject to publish to", Required = true };
        var kind = new Option<PublishedMedia>("--kind") { Description = "What the input is (auto: a folder is images, .wav/.mp3/.flac/… audio, anything else video)", DefaultValueFactory = _ => PublishedMedia.Auto };
        var streamId = new Option<string?>("--stream-id") { Description = "Stream id written in the messages (default: the input's file name)" };
        var workStream = new Option<string?>("--create-stream") { Description = "Create this work-queue stream for the subject when it does not exist" };
        var connection = new Option<string>("--connection") { Description = "Connection name in the settings (Nats:Connections:NAME)", DefaultValueFactory = _ => NatsConnectionSettings.DefaultName };
        var format = new Option<string>("--format") { Description = "Frame encoding: jpg or png", DefaultValueFactory = _ => "jpg" };
        var quality = new Option<int>("--quality") { Description = "JPEG quality (1-100)", DefaultValueFactory = _ => 85 };
        var every = new Option<int>("--every") { Description = "Publish every N-th video frame", DefaultValueFactory = _ => 1 };
        var maxFrames = new Option<long>("--max-frames") { Description = "Stop after this many frames or images (0: all)" };
        var chunk = new Option<string>("--chunk") { Description = "Audio chunk length", DefaultValueFactory = _ => "1s" };
        var sampleRate = new Option<int>("--sample-rate") { Description = "Sample rate when the audio needs converting (not 16-bit PCM WAV)", DefaultValueFactory = _ => 16000 };
        var realtime = new Option<bool>("--realtime") { Description = "Publish at media speed, like a live camera" };
        var maxInline = new Option<int?>("--max-inline") { Description = "Largest body sent inline, in bytes; larger samples go to the object store by reference (default: the server's max payload less 4 KB)" };
        var bucket = new Option<string>("--bucket") { Description = "Object-store bucket for samples sent by reference", DefaultValueFactory = _ => "streamseq-media" };
        var bucketAge = new Option<string>("--bucket-max-age") { Description = "How long the bucket keeps objects, when this run creates it", DefaultValueFactory = _ => "1d" };
        var settingsFile = CommonOptions.Settings();
        var command = new Command("publish", "Publish a video, a folder of images or an audio file to a NATS JetStream subject (for nats.source workers)")
        {
            input, subject, kind, streamId, workStream, connection, format, quality, every, maxFrames, chunk, sampleRate, realtime, maxInline, bucket, bucketAge, settingsFile,
        };
        command.SetAction(async result =>
        {
            var path = result.GetValue(input)!;
            var target = result.GetValue(subject)!;
            var problems = new List<string>();
            if (JetStreamSetup.CheckSubject(target, "--subject", allowWildcards: false) is { } badSubject)
            {
                problems.Add(badSubject);
            }
            if (result.GetValue(workStream) is { } ws && JetStreamSetup.CheckName(ws, "--create-stream") is { } badStream)
            {
                problems.Add(badStream);
            }
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                problems.Add($"{path}: no such file or folder");
            }
            if (result.GetValue(every) < 1 || result.GetValue(quality) is < 1 or > 100 || result.GetValue(maxFrames) < 0)
            {
                problems.Add("--every >= 1, --quality 1-100, --max-frames >= 0");
            }
            if (result.GetValue(format) is not ("jpg" or "jpeg" or "png"))
            {
                problems.Add("--format is jpg or png");
            }
            TimeSpan chunkLength = default;
            if (!Json.DurationConverter.TryParse(result.GetValue(chunk)!, out chunkLength) || chunkLength <= TimeSpan.Zero)
            {
                problems.Add("--chunk is a positive duration (500ms, 1s)");
            }
            var ageText = result.GetValue(bucketAge)!;
            TimeSpan bucketMaxAge = default;
            if (ageText.EndsWith('d') && double.TryParse(ageText[..^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var days) && days > 0)
            {
                bucketMaxAge = TimeSpan.FromDays(days);
            }
            else if (!Json.DurationConverter.TryParse(ageText, out bucketMaxAge) || bucketMaxAge <= TimeSpan.Zero)
            {
                problems.Add("--bucket-max-age is a positive duration (12h, 1d)");
            }
            if (problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    Console.Error.WriteLine($"streamseq publish: {problem}");
                }
                return ExitCodes.Invalid;
            }

            var environment = CliEnvironment.Load(result.GetValue(settingsFile));
            var mediaKind = result.GetValue(kind) == PublishedMedia.Auto ? MediaReader.Detect(path) : result.GetValue(kind);
            var items = mediaKind switch
            {
                PublishedMedia.Images => MediaReader.ReadImages(path, result.GetValue(format)!, result.GetValue(quality)),
                PublishedMedia.Audio => MediaReader.ReadAudio(path, chunkLength, result.GetValue(sampleRate)),
                _ => MediaReader.ReadVideo(path, result.GetValue(format)!, result.GetValue(quality), result.GetValue(every), result.GetValue(maxFrames)),
            };
            if (mediaKind == PublishedMedia.Images && result.GetValue(maxFrames) > 0)
            {
                items = items.Take((int)Math.Min(int.MaxValue, result.GetValue(maxFrames)));
            }
            using var termination = new TerminationSignal();
            using var loggers = CliEnvironment.CreateLoggerFactory(LogLevel.Information);
            var logger = loggers.CreateLogger("streamseq.publish");
            try
            {
                await using var nats = await NatsConnector.ConnectAsync(result.GetValue(connection), "publish", logger, termination.Token).ConfigureAwait(false);
                var summary = await new NatsPublisher(nats, logger).PublishAsync(items, new PublishSettings
                {
                    Subject = target,
                    StreamId = result.GetValue(streamId) ?? Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(path)),
                    WorkStream = result.GetValue(workStream),
                    Realtime = result.GetValue(realtime),
                    MaxInline = result.GetValue(maxInline),
                    Bucket = result.GetValue(bucket)!,
                    BucketMaxAge = bucketMaxAge,
                }, termination.Token).ConfigureAwait(false);
                Console.Error.WriteLine($"streamseq publish: {summary.Messages} {mediaKind.ToString().ToLowerInvariant()} messages ({summary.Bytes / 1024.0 / 1024.0:0.0} MiB, {summary.ByReference} by reference) to '{target}' in {summary.Elapsed.TotalSeconds:0.0} s");
                return ExitCodes.Success;
            }
            catch (OperationCanceledException) when (termination.Token.IsCancellationRequested)
            {
                Console.Error.WriteLine("streamseq publish: stopped");
                return ExitCodes.Failed;
            }
            catch (Exception e) when (e is IOException or NatsServerNotSupportedException or NATS.Client.Core.NatsException or ArgumentException)
            {
                Console.Error.WriteLine($"streamseq publish: {path}: {e.Message}");
                return ExitCodes.Failed;
            }
        });
        return command;
    }
}
