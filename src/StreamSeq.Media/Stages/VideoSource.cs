using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpenCvSharp;
using StreamSeq.Ingest;

namespace StreamSeq.Media.Stages;

/// <summary>Options of <c>video.source</c>.</summary>
public sealed class VideoSourceOptions : IValidatableObject
{
    [Description("What to read: a video file, an image folder or glob (frames/*.png), a webcam (0, /dev/video0) or a network URL FFmpeg opens (rtsp://, http://, tcp://, udp://)")]
    [RequiredOption]
    public string Uri { get; init; } = "";

    [Description("Resize frames to this width (0: keep; with only one of width/height the aspect ratio is kept)")]
    [Range(0, 16384)]
    public int Width { get; init; }

    [Description("Resize frames to this height (0: keep)")]
    [Range(0, 16384)]
    public int Height { get; init; }

    [Description("Convert frames to 8-bit grayscale")]
    public bool Grayscale { get; init; }

    [Description("Drop frames to at most this many per second of media time (0: no limit)")]
    [Range(0, 1000)]
    public double MaxFps { get; init; }

    [Description("Skip this many decoded frames after each emitted one")]
    [Range(0, 10000)]
    public int FrameSkip { get; init; }

    [Description("asfast: as fast as consumers take frames; realtime: at the media's frame rate, like a live camera")]
    public Pace Pace { get; init; } = Pace.Asfast;

    [Description("Start again at the beginning when a file or image folder ends (media time keeps increasing)")]
    public bool Loop { get; init; }

    [Description("Frame rate assumed for image folders and for media that do not report one")]
    [Range(0.1, 1000)]
    public double DefaultFps { get; init; } = 30;

    [Description("Live sources: first wait before reconnecting after the stream drops (doubles up to maxReconnectDelay)")]
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    [Description("Live sources: longest wait between reconnection attempts")]
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(30);

    [Description("Live sources: give up after this many failed reconnections in a row (0: never)")]
    [Range(0, 1_000_000)]
    public int MaxReconnects { get; init; }

    [Description("Network sources: how long opening or reading may block before the stream counts as dropped")]
    public TimeSpan NetworkTimeout { get; init; } = TimeSpan.FromSeconds(10);

    [Description("Stop after this many frames (0: no limit)")]
    [Range(0, long.MaxValue)]
    public long MaxFrames { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ReconnectDelay <= TimeSpan.Zero || MaxReconnectDelay < ReconnectDelay)
        {
            yield return new ValidationResult("'reconnectDelay' must be positive and at most 'maxReconnectDelay'", [nameof(ReconnectDelay)]);
        }
        if (NetworkTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("'networkTimeout' must be positive", [nameof(NetworkTimeout)]);
        }
        if (string.IsNullOrWhiteSpace(Uri))
        {
            yield return new ValidationResult("'uri' must name a file, folder, device or URL", [nameof(Uri)]);
        }
    }
}

/// <summary>
/// Frames from a video file, an image folder, a webcam or a network stream. A file or folder that ends
/// completes the pipeline (or starts again with <c>loop</c>); a live source that drops reconnects with
/// exponential backoff and says so in the log. Frames carry their media time; packets carry the capture
/// time (live) or the run's start plus the media time (files), so time windows line up with the media.
/// </summary>
[Stage("video.source", Description = "Frames from a video file, image folder/glob, webcam (0, /dev/video0) or network URL (rtsp/http/tcp)")]
public sealed class VideoSource : SourceStage<VideoFrame>
{
    private readonly VideoSourceOptions _options;
    private MediaLocation _location = null!;
    private ILogger _logger = null!;
    private string _stageId = "";

    public VideoSource(VideoSourceOptions options) => _options = options;

    /// <summary>Reconnections made so far (live sources).</summary>
    public int Reconnects { get; private set; }

    public override ValueTask StartAsync(StageContext context, CancellationToken cancellationToken)
    {
        _logger = context.Logger;
        _stageId = context.StageId;
        _location = MediaLocation.Parse(_options.Uri, context.BaseDirectory);
        _location.ThrowIfMissing();
        return ValueTask.CompletedTask;
    }

    public override async Task RunAsync(Emitter<VideoFrame> output, CancellationToken cancellationToken)
    {
        var runStart = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        var emitted = 0L;
        var decoded = 0L;
        var mediaOffset = TimeSpan.Zero;
        var lastEmittedMedia = TimeSpan.MinValue;
        var reconnect = new Backoff(_options.ReconnectDelay, _options.MaxReconnectDelay, maxAttempts: _options.MaxReconnects > 0 ? _options.MaxReconnects : null);
        var minInterval = _options.MaxFps > 0 ? TimeSpan.FromSeconds(1 / _options.MaxFps) : TimeSpan.Zero;
        using var frame = new Mat();

        while (!cancellationToken.IsCancellationRequested)
        {
            string? decoderSays = null;
            using var reader = FrameReader.Open(_location, _options, why => decoderSays = why);
            if (reader is null)
            {
                if (!_location.IsLive)
                {
                    throw new IOException($"{_location}: cannot be opened as video (unsupported format or unreadable file)");
                }
                if (!await WaitToReconnectAsync(reconnect, decoderSays is null ? "cannot be opened" : $"cannot be opened ({decoderSays})", cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
                continue;
            }
            if (reconnect.Failures > 0)
            {
                _logger.LogInformation("{Source}: reconnected after {Failures} failed attempt(s)", _location, reconnect.Failures);
            }
            var lastMedia = TimeSpan.Zero;
            var gotFrame = false;
            while (!cancellationToken.IsCancellationRequested && reader.Read(frame, out var media))
            {
                gotFrame = true;
                reconnect.Reset();
                // A live stream's own timestamps restart at each reconnection: its media time is the run's clock.
                media = _location.IsLive ? clock.Elapsed : media + mediaOffset;
                lastMedia = media;
                var index = decoded++;
                if (_options.FrameSkip > 0 && index % (_options.FrameSkip + 1) != 0)
                {
                    continue;
                }
                if (minInterval > TimeSpan.Zero && lastEmittedMedia != TimeSpan.MinValue && media - lastEmittedMedia < minInterval)
                {
                    continue;
                }
                if (_options.Pace == Pace.Realtime && !_location.IsLive)
                {
                    var due = media - clock.Elapsed;
                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due, cancellationToken).ConfigureAwait(false);
                    }
                }
                lastEmittedMedia = media;
                var image = FrameConversions.Prepare(frame, _options.Width, _options.Height, _options.Grayscale);
                var originating = _location.IsLive ? DateTime.UtcNow : runStart + media;
                await output.EmitAsync(new VideoFrame(image, media, index) { SourceFps = reader.Fps }, originating, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (_options.MaxFrames > 0 && ++emitted >= _options.MaxFrames)
                {
                    return;
                }
            }
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            if (!_location.IsLive)
            {
                if (!_options.Loop || !gotFrame)
                {
                    if (!gotFrame)
                    {
                        throw new IOException($"{_location}: no frame could be decoded");
                    }
                    return;
                }
                mediaOffset = lastMedia + reader.FrameInterval;
                continue;
            }
            if (!await WaitToReconnectAsync(reconnect, gotFrame ? "stream dropped" : "no frame received", cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    private async Task<bool> WaitToReconnectAsync(Backoff reconnect, string why, CancellationToken cancellationToken)
    {
        if (!reconnect.TryNext(out var delay))
        {
            throw new IOException($"{_location}: {why}; gave up after {_options.MaxReconnects} reconnection attempt(s)");
        }
        Reconnects++;
        _logger.LogWarning("{Stage}: {Source}: {Why}; reconnecting in {Delay:0.0} s (attempt {Attempt})", _stageId, _location, why, delay.TotalSeconds, reconnect.Failures);
        try
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
