using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using OpenCvSharp;

namespace StreamSeq.Media.Stages;

/// <summary>Options of <c>sink.video</c>.</summary>
public sealed class VideoSinkOptions
{
    [Description("The video file to write (.mp4, .avi, .mkv); its folder is created")]
    [RequiredOption]
    public string Path { get; init; } = "";

    [Description("FourCC of the codec (mp4v plays everywhere ffmpeg does; MJPG for .avi)")]
    [StringLength(4, MinimumLength = 4)]
    public string Codec { get; init; } = "mp4v";

    [Description("Frame rate written (0: the source's nominal rate over the frames' index step, else measured from their media times)")]
    [Range(0, 1000)]
    public double Fps { get; init; }

    [Description("Output width (0: the frames' width, or derived from height)")]
    [Range(0, 8192)]
    public int Width { get; init; }

    [Description("Output height (0: the frames' height, or derived from width)")]
    [Range(0, 8192)]
    public int Height { get; init; }

    [Description("Blend the optical flow (colour wheel) over frames that carry it")]
    public bool FlowOverlay { get; init; } = true;

    [Description("Frames held back waiting for the prediction that covers them; beyond it they are written with the latest one")]
    [Range(1, 100_000)]
    public int MaxPending { get; init; } = 256;
}

/// <summary>What <c>sink.video</c> wrote, emitted once when its inputs end.</summary>
/// <param name="Path">The file.</param>
/// <param name="Frames">Frames written.</param>
/// <param name="Width">Frame width.</param>
/// <param name="Height">Frame height.</param>
/// <param name="Fps">Frame rate written.</param>
public sealed record VideoWritten(string Path, long Frames, int Width, int Height, double Fps);

/// <summary>
/// Writes frames to a video file, annotated with the prediction whose clip covers each frame (label, score,
/// top alternatives) and, for frames carrying optical flow, the flow on the colour wheel. Predictions come
/// later than the frames they describe, so frames wait (up to <c>maxPending</c>) for theirs.
/// </summary>
[Stage("sink.video", Description = "Writes frames to a video file (MP4/AVI), annotated with predictions and a flow overlay", ManyInputs = true)]
[InputPort("frames", typeof(VideoFrame))]
[InputPort("predictions", typeof(Prediction), Required = false)]
public sealed class VideoSink : MultiInputStage<object, VideoWritten>
{
    private readonly VideoSinkOptions _options;
    private readonly List<Prediction> _predictions = [];
    private string _path = "";
    private VideoWriter? _writer;
    private Size _size;
    private double _fps;
    private long _written;

    public VideoSink(VideoSinkOptions options) => _options = options;

    public override ValueTask StartAsync(StageContext context, CancellationToken cancellationToken)
    {
        _path = context.ResolvePath(_options.Path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(_path)!);
        return ValueTask.CompletedTask;
    }

    public override async Task RunAsync(IReadOnlyList<StageInput<object>> inputs, Emitter<VideoWritten> output, CancellationToken cancellationToken)
    {
        var frames = inputs[0].Reader;
        var predictions = inputs.Count > 1 ? inputs[1].Reader : null;
        var pending = new Queue<Packet<object>>();
        var framesDone = false;
        var predictionsDone = predictions is null;
        Task<bool>? frameWait = null;
        Task<bool>? predictionWait = null;
        try
        {
            while (!(framesDone && predictionsDone))
            {
                while (!framesDone && frames.TryRead(out var frame))
                {
                    pending.Enqueue(frame);
                }
                while (!predictionsDone && predictions!.TryRead(out var prediction))
                {
                    _predictions.Add((Prediction)prediction.Payload);
                    prediction.Release();
                }
                WriteReady(pending, flushAll: predictionsDone, framesEnded: framesDone);
                frameWait ??= framesDone ? null : frames.WaitToReadAsync(cancellationToken).AsTask();
                predictionWait ??= predictionsDone ? null : predictions!.WaitToReadAsync(cancellationToken).AsTask();
                await Task.WhenAny(new[] { frameWait, predictionWait }.OfType<Task<bool>>()).ConfigureAwait(false);
                if (frameWait is { IsCompleted: true })
                {
                    framesDone = !await frameWait.ConfigureAwait(false);
                    frameWait = null;
                }
                if (predictionWait is { IsCompleted: true })
                {
                    predictionsDone = !await predictionWait.ConfigureAwait(false);
                    predictionWait = null;
                }
            }
            WriteReady(pending, flushAll: true, framesEnded: true);
        }
        finally
        {
            while (pending.TryDequeue(out var left))
            {
                left.Release(AckOutcome.Dropped);
            }
            _writer?.Dispose();
            _writer = null;
        }
        if (_written > 0)
        {
            await output.EmitAsync(new VideoWritten(_path, _written, _size.Width, _size.Height, _fps), DateTime.UtcNow, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private void WriteReady(Queue<Packet<object>> pending, bool flushAll, bool framesEnded)
    {
        // The frame rate is read off the first frames, so the writer opens once two of them are here (or the input ended).
        if (_writer is null && pending.Count < 2 && !framesEnded)
        {
            return;
        }
        var covered = _predictions.Count > 0 ? _predictions.Max(p => p.End) : double.NegativeInfinity;
        while (pending.TryPeek(out var next))
        {
            var frame = (VideoFrame)next.Payload;
            if (!flushAll && frame.MediaTime.TotalSeconds > covered && pending.Count <= _options.MaxPending)
            {
                return;
            }
            pending.Dequeue();
            try
            {
                Write(frame, pending);
            }
            finally
            {
                next.Release();
            }
            Forget(frame.MediaTime.TotalSeconds);
        }
    }

    /// <summary>
    /// Drops predictions that ended before <paramref name="written"/>, except the latest of them (it labels
    /// frames until a newer one covers them): a sink that runs for hours keeps a handful, not all.
    /// </summary>
    private void Forget(double written)
    {
        var latestEnded = -1;
        for (var i = 0; i < _predictions.Count; i++)
        {
            if (_predictions[i].End < written && (latestEnded < 0 || _predictions[i].End >= _predictions[latestEnded].End))
            {
                latestEnded = i;
            }
        }
        if (latestEnded >= 0)
        {
            var keep = _predictions[latestEnded];
            _predictions.RemoveAll(p => p.End < written && !ReferenceEquals(p, keep));
        }
    }

    private void Write(VideoFrame frame, Queue<Packet<object>> pending)
    {
        if (_writer is null)
        {
            _size = FrameConversions.TargetSize(frame.Image.Size(), _options.Width, _options.Height);
            (_fps, var origin) = _options.Fps > 0 ? (_options.Fps, "the sink's fps option") : FrameRate.Of(frame, pending.Select(p => p.Payload).OfType<VideoFrame>());
            _writer = new VideoWriter(_path, FourCC.FromString(_options.Codec), _fps, _size, isColor: true);
            if (!_writer.IsOpened())
            {
                _writer.Dispose();
                _writer = null;
                throw OpenFailure(origin);
            }
        }
        using var canvas = FrameAnnotator.Render(frame, _size, _options.FlowOverlay, Covering(frame.MediaTime.TotalSeconds));
        _writer.Write(canvas);
        _written++;
    }

    /// <summary>
    /// Why the writer did not open. OpenCV tells only its log, so a second writer of the same codec, size and
    /// container at 25 fps separates a frame rate the encoder refuses (MPEG-4 takes time bases up to 1/65535 s)
    /// from a codec that does not fit the extension.
    /// </summary>
    private IOException OpenFailure(string origin)
    {
        var extension = System.IO.Path.GetExtension(_path);
        var probe = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"streamseq-probe-{Guid.NewGuid():N}{extension}");
        bool rateRefused;
        try
        {
            using var writer = new VideoWriter(probe, FourCC.FromString(_options.Codec), 25, _size, isColor: true);
            rateRefused = writer.IsOpened();
        }
        finally
        {
            File.Delete(probe);
        }
        return rateRefused
            ? new IOException($"cannot write video '{_path}': codec {_options.Codec} refuses {_fps:0.###} fps (from {origin}); set the sink's fps option to the rate wanted")
            : new IOException($"cannot write video '{_path}': codec {_options.Codec} cannot write {_size.Width}x{_size.Height} frames into a '{extension}' file (is the extension right for the codec?)");
    }

    /// <summary>The prediction whose clip covers <paramref name="time"/> (latest first), else the latest one before it.</summary>
    private Prediction? Covering(double time)
    {
        Prediction? before = null;
        for (var i = _predictions.Count - 1; i >= 0; i--)
        {
            var prediction = _predictions[i];
            if (prediction.Start <= time && time <= prediction.End)
            {
                return prediction;
            }
            if (prediction.End < time && (before is null || prediction.End > before.End))
            {
                before = prediction;
            }
        }
        return before;
    }
}
