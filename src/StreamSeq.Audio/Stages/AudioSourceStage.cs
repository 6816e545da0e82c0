using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using StreamSeq.Audio.Dsp;
using StreamSeq.Audio.Io;
using StreamSeq.Audio.Wav;
using StreamSeq.Ingest;

namespace StreamSeq.Audio.Stages;

/// <summary>How <c>audio.source</c> decodes its input.</summary>
public enum AudioInputFormat
{
    /// <summary>Files: WAV when they start with a RIFF header, else ffmpeg. stdin and tcp: raw PCM.</summary>
    Auto,

    /// <summary>A WAV file or stream.</summary>
    Wav,

    /// <summary>Headerless PCM described by inputSampleRate, inputChannels and inputEncoding.</summary>
    Raw,

    /// <summary>Anything ffmpeg reads (video files, compressed audio, network streams).</summary>
    Ffmpeg,
}

/// <summary>Sample encodings of raw PCM input.</summary>
public enum RawEncoding
{
    /// <summary>Unsigned 8-bit.</summary>
    U8,

    /// <summary>Signed 16-bit little-endian.</summary>
    S16le,

    /// <summary>Signed 24-bit little-endian.</summary>
    S24le,

    /// <summary>Signed 32-bit little-endian.</summary>
    S32le,

    /// <summary>32-bit float little-endian.</summary>
    F32le,

    /// <summary>64-bit float little-endian.</summary>
    F64le,
}

/// <summary>Options of <c>audio.source</c>.</summary>
public sealed class AudioSourceOptions : IValidatableObject
{
    [Description("A file (WAV or anything ffmpeg reads: video, mp3, …), '-' or 'stdin' for raw PCM on standard input, 'tcp://host:port' for raw PCM from a TCP server (live), or a URL ffmpeg reads (http://, rtsp://, udp://, …)")]
    [RequiredOption]
    public string Uri { get; init; } = "";

    [Description("auto, wav, raw or ffmpeg (auto: WAV by header, else ffmpeg; raw for stdin and tcp)")]
    public AudioInputFormat Format { get; init; } = AudioInputFormat.Auto;

    [Description("Sample rate of the emitted audio (resampled with a band-limited filter when the input differs)")]
    [Range(1000, 384000)]
    public int SampleRate { get; init; } = 16000;

    [Description("Channels emitted: 1 mixes down to mono, 0 keeps the input's channels")]
    [Range(0, 1)]
    public int Channels { get; init; } = 1;

    [Description("Raw PCM input: its sample rate")]
    [Range(1000, 384000)]
    public int InputSampleRate { get; init; } = 16000;

    [Description("Raw PCM input: its interleaved channels")]
    [Range(1, 64)]
    public int InputChannels { get; init; } = 1;

    [Description("Raw PCM input: its sample encoding")]
    public RawEncoding InputEncoding { get; init; } = RawEncoding.S16le;

    [Description("Audio per emitted chunk")]
    public TimeSpan Chunk { get; init; } = TimeSpan.FromMilliseconds(100);

    [Description("Files: asfast (as consumers take it) or realtime (at the audio's own speed); live inputs arrive at their own pace")]
    public Pace Pace { get; init; } = Pace.Asfast;

    [Description("Files: start over at the end, forever (media time keeps increasing)")]
    public bool Loop { get; init; }

    [Description("Live inputs (tcp, network URLs): reconnect when the connection fails or closes")]
    public bool Reconnect { get; init; } = true;

    [Description("First delay before reconnecting; doubles after each failure up to maxReconnectDelay")]
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    [Description("Longest delay between reconnection attempts")]
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(10);

    [Description("Failed connection attempts in a row before the source fails; 0 = never give up")]
    [Range(0, int.MaxValue)]
    public int MaxReconnects { get; init; }

    [Description("TCP: how long a connection attempt may take")]
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    [Description("Originating time of the first sample (ISO 8601, UTC); default: the wall clock when the source starts")]
    public DateTime? Start { get; init; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Chunk < TimeSpan.FromMilliseconds(1) || Chunk > TimeSpan.FromSeconds(60))
        {
            yield return new ValidationResult("'chunk' must be between 1 ms and 60 s", [nameof(Chunk)]);
        }
        if (ReconnectDelay < TimeSpan.Zero || MaxReconnectDelay < ReconnectDelay)
        {
            yield return new ValidationResult("'reconnectDelay' must be non-negative and at most 'maxReconnectDelay'", [nameof(ReconnectDelay)]);
        }
        if (ConnectTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("'connectTimeout' must be positive", [nameof(ConnectTimeout)]);
        }
        if (string.IsNullOrWhiteSpace(Uri))
        {
            yield break;
        }
        var location = AudioSourceStage.Locate(Uri, Environment.CurrentDirectory);
        if (location.Kind == MediaKind.TcpPcm && !location.TryGetTcpEndpoint(out _, out _))
        {
            yield return new ValidationResult($"'uri' {Uri} is not tcp://host:port", [nameof(Uri)]);
        }
        if (Loop && location.Kind is not MediaKind.File)
        {
            yield return new ValidationResult("'loop' applies to files only", [nameof(Loop)]);
        }
    }
}

/// <summary>
/// Audio from a WAV file, anything ffmpeg decodes (the audio track of a video file, a network stream), raw
/// PCM on standard input, or raw PCM from a TCP server (live, reconnecting with backoff). The audio is
/// converted to <c>sampleRate</c> (band-limited resampling) and mono (unless <c>channels</c> is 0) and
/// emitted in chunks of <c>chunk</c> duration stamped with their media time: the start time plus the
/// chunk's first sample index over the rate. A reconnect marks the next chunk as a discontinuity and
/// re-anchors media time to the wall clock.
/// </summary>
[Stage("audio.source", Description = "Audio from a WAV/video/any ffmpeg input, stdin or tcp:// raw PCM (live, reconnecting), resampled, in timed chunks")]
public sealed class AudioSourceStage : SourceStage<AudioChunk>
{
    private readonly AudioSourceOptions _options;
    private ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private MediaLocation _location = null!;
    private string _stageId = "audio.source";

    /// <summary>Creates the stage.</summary>
    public AudioSourceStage(AudioSourceOptions options) => _options = options;

    /// <summary>Opens standard input; tests substitute a stream here.</summary>
    internal static Func<Stream> StandardInput { get; set; } = Console.OpenStandardInput;

    /// <inheritdoc />
    public override ValueTask StartAsync(StageContext context, CancellationToken cancellationToken)
    {
        _logger = context.Logger;
        _stageId = context.StageId;
        _location = Locate(_options.Uri, context.BaseDirectory);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override async Task RunAsync(Emitter<AudioChunk> output, CancellationToken cancellationToken)
    {
        var kind = _location.Kind;
        var live = _location.IsLive;
        var emitter = new ChunkEmitter(output, _options, _location.Kind, _options.Start?.ToUniversalTime() ?? DateTime.UtcNow);
        var reconnect = new Backoff(_options.ReconnectDelay, _options.MaxReconnectDelay, maxAttempts: _options.MaxReconnects > 0 ? _options.MaxReconnects : null);
        var first = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            IPcmReader? reader = null;
            try
            {
                reader = await OpenAsync(kind, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (live && _options.Reconnect && e is SocketException or IOException or AudioFormatException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                if (!reconnect.TryNext(out var delay))
                {
                    throw new IOException($"{_options.Uri}: gave up after {reconnect.Failures} failed connection attempts: {e.Message}", e);
                }
                _logger.LogWarning("stage '{Stage}': cannot connect to {Uri} ({Message}); retrying in {Delay} ms", _stageId, _options.Uri, e.Message, delay.TotalMilliseconds);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            // Set as soon as audio arrives, so a connection that delivered and then broke counts as working.
            var arrived = new StrongBox<bool>();
            try
            {
                await using (reader.ConfigureAwait(false))
                {
                    emitter.BeginSegment(reader.SampleRate, reader.Channels, discontinuity: !first && live, reanchor: live);
                    first = false;
                    await PumpAsync(reader, emitter, arrived, cancellationToken).ConfigureAwait(false);
                    await emitter.EndSegmentAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (live && _options.Reconnect && e is SocketException or IOException or AudioFormatException && !cancellationToken.IsCancellationRequested)
            {
                _logger.LogWarning("stage '{Stage}': {Uri} failed ({Message}); reconnecting", _stageId, _options.Uri, e.Message);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            var received = arrived.Value;
            if (live)
            {
                if (!_options.Reconnect)
                {
                    return;
                }
                // A connection that delivered audio was a success: the wait after it is the first one again.
                TimeSpan delay;
                if (received)
                {
                    reconnect.Reset();
                    delay = reconnect.Initial;
                }
                else if (!reconnect.TryNext(out delay))
                {
                    throw new IOException($"{_options.Uri}: gave up after {reconnect.Failures} connections that delivered no audio");
                }
                _logger.LogInformation("stage '{Stage}': {Uri} ended; reconnecting in {Delay} ms", _stageId, _options.Uri, delay.TotalMilliseconds);
                try
                {
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }
            if (!(_options.Loop && kind == MediaKind.File))
            {
                return;
            }
        }
    }

    private async Task PumpAsync(IPcmReader reader, ChunkEmitter emitter, StrongBox<bool> arrived, CancellationToken cancellationToken)
    {
        // Read about a chunk's worth at a time (whole frames); live readers return what has arrived.
        var frames = Math.Max(1, (int)(_options.Chunk.TotalSeconds * reader.SampleRate));
        var block = new float[frames * reader.Channels];
        while (!cancellationToken.IsCancellationRequested)
        {
            var n = await reader.ReadAsync(block, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }
            arrived.Value = true;
            await emitter.AddAsync(block.AsSpan(0, n).ToArray(), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<IPcmReader> OpenAsync(MediaKind kind, CancellationToken cancellationToken)
    {
        var rawFormat = new WavFormat(_options.InputSampleRate, _options.InputChannels, _options.InputEncoding switch
        {
            RawEncoding.U8 => WavSampleFormat.Pcm8,
            RawEncoding.S24le => WavSampleFormat.Pcm24,
            RawEncoding.S32le => WavSampleFormat.Pcm32,
            RawEncoding.F32le => WavSampleFormat.Float32,
            RawEncoding.F64le => WavSampleFormat.Float64,
            _ => WavSampleFormat.Pcm16,
        });
        var ffmpegChannels = _options.Channels == 0 ? 2 : 1;
        switch (kind)
        {
            case MediaKind.Stdin:
                var stdin = StandardInput();
                return _options.Format == AudioInputFormat.Wav
                    ? new WavPcmReader(stdin, "stdin", ownsStream: true)
                    : new RawPcmReader(stdin, rawFormat, "stdin", ownsStream: true);
            case MediaKind.TcpPcm:
                _location.TryGetTcpEndpoint(out var host, out var port);
                var client = new TcpClient { NoDelay = true };
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(_options.ConnectTimeout);
                    try
                    {
                        await client.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw new TimeoutException($"connecting to {host}:{port} took longer than {_options.ConnectTimeout.TotalSeconds} s");
                    }
                    var stream = new TcpOwnedStream(client);
                    _logger.LogInformation("stage '{Stage}': connected to {Uri}", _stageId, _options.Uri);
                    return _options.Format == AudioInputFormat.Wav
                        ? new WavPcmReader(stream, _options.Uri, ownsStream: true)
                        : new RawPcmReader(stream, rawFormat, _options.Uri, ownsStream: true);
                }
                catch
                {
                    client.Dispose();
                    throw;
                }
            case MediaKind.Network:
                return FfmpegDecoder.Start(_options.Uri, _options.SampleRate, ffmpegChannels);
            default:
                var format = _options.Format;
                if (format == AudioInputFormat.Auto)
                {
                    format = WavReader.LooksLikeWav(_location.Target) ? AudioInputFormat.Wav : AudioInputFormat.Ffmpeg;
                }
                return format switch
                {
                    AudioInputFormat.Wav => new WavPcmReader(_location.Target),
                    AudioInputFormat.Raw => new RawPcmReader(OpenRaw(_location.Target), rawFormat, _location.Target, ownsStream: true),
                    _ => FfmpegDecoder.Start(_location.Target, _options.SampleRate, ffmpegChannels),
                };
        }
    }

    private static FileStream OpenRaw(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AudioFormatException(path, $"cannot open: {e.Message}", e);
        }
    }

    /// <summary>The input <paramref name="uri"/> names, as audio readers see it (stdin and tcp:// raw PCM; no cameras or image folders).</summary>
    internal static MediaLocation Locate(string uri, string baseDirectory) => MediaLocation.Parse(uri, baseDirectory, MediaLocationForms.Audio);

    /// <summary>A socket's stream that also disposes its client.</summary>
    private sealed class TcpOwnedStream(TcpClient client) : Stream
    {
        private readonly NetworkStream _inner = client.GetStream();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
                client.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    /// <summary>
    /// Turns reads of any size into chunks of the configured duration at the output rate, stamping media
    /// time and pacing realtime files.
    /// </summary>
    private sealed class ChunkEmitter
    {
        private readonly Emitter<AudioChunk> _output;
        private readonly AudioSourceOptions _options;
        private readonly Stopwatch _clock = new();
        private readonly int _chunkFrames;
        private readonly MediaKind _kind;
        private DateTime _epoch; // originating time of sample 0 (re-anchored on live reconnects)
        private AudioConverter? _converter;
        private int _channels;
        private float[] _pending = [];
        private int _pendingCount;
        private long _emitted; // frames emitted on the stream so far
        private bool _discontinuity;

        public ChunkEmitter(Emitter<AudioChunk> output, AudioSourceOptions options, MediaKind kind, DateTime start)
        {
            _output = output;
            _options = options;
            _kind = kind;
            _epoch = start;
            _chunkFrames = Math.Max(1, (int)Math.Round(options.Chunk.TotalSeconds * options.SampleRate));
        }

        public void BeginSegment(int inputRate, int inputChannels, bool discontinuity, bool reanchor)
        {
            _channels = _options.Channels == 0 ? inputChannels : 1;
            _converter = new AudioConverter(inputRate, inputChannels, _options.SampleRate, _channels);
            _discontinuity = discontinuity;
            _pendingCount = 0;
            if (reanchor && _emitted > 0)
            {
                // Live audio resumes now: its first sample was captured at the current wall clock.
                var now = DateTime.UtcNow;
                var next = _epoch + FramesToTime(_emitted);
                if (now > next)
                {
                    _epoch = now - FramesToTime(_emitted);
                }
            }
            if (!_clock.IsRunning)
            {
                // Without a configured start, media time begins when the first audio is read (not before a
                // slow open), so realtime pacing and originating times agree.
                if (_options.Start is null)
                {
                    _epoch = DateTime.UtcNow;
                }
                _clock.Start();
            }
        }

        public ValueTask AddAsync(float[] block, CancellationToken cancellationToken)
            => AppendAsync(_converter!.Convert(block), final: false, cancellationToken);

        public async ValueTask EndSegmentAsync(CancellationToken cancellationToken)
        {
            await AppendAsync(_converter!.Flush(), final: true, cancellationToken).ConfigureAwait(false);
        }

        private async ValueTask AppendAsync(float[] converted, bool final, CancellationToken cancellationToken)
        {
            if (_pending.Length < _pendingCount + converted.Length)
            {
                Array.Resize(ref _pending, Math.Max(_pendingCount + converted.Length, _chunkFrames * _channels * 2));
            }
            converted.CopyTo(_pending, _pendingCount);
            _pendingCount += converted.Length;
            var chunkSamples = _chunkFrames * _channels;
            var offset = 0;
            while (_pendingCount - offset >= chunkSamples || (final && _pendingCount - offset > 0))
            {
                var take = Math.Min(chunkSamples, _pendingCount - offset);
                await EmitAsync(_pending.AsSpan(offset, take).ToArray(), cancellationToken).ConfigureAwait(false);
                offset += take;
            }
            _pending.AsSpan(offset, _pendingCount - offset).CopyTo(_pending);
            _pendingCount -= offset;
        }

        private async ValueTask EmitAsync(float[] samples, CancellationToken cancellationToken)
        {
            var chunk = new AudioChunk(samples, _options.SampleRate, _channels, _emitted, _discontinuity);
            _discontinuity = false;
            var time = _epoch + FramesToTime(_emitted);
            _emitted += chunk.Frames;
            if (_options.Pace == Pace.Realtime && _kind == MediaKind.File)
            {
                // Emit when the chunk's last sample would have been captured.
                var due = FramesToTime(_emitted) - _clock.Elapsed;
                if (due > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(due, cancellationToken).ConfigureAwait(false);
                }
            }
            await _output.EmitAsync(chunk, time, null, cancellationToken).ConfigureAwait(false);
        }

        private TimeSpan FramesToTime(long frames) => TimeSpan.FromTicks(frames * TimeSpan.TicksPerSecond / _options.SampleRate);
    }
}
