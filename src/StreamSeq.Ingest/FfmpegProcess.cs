using System.Diagnostics;

namespace StreamSeq.Ingest;

/// <summary>
/// A running ffmpeg (see <see cref="Ffmpeg"/>). Its standard error is drained for the process's whole life by a
/// thread of its own (a full pipe would stall ffmpeg, and the stream lines must arrive even when the caller
/// blocks the pool's threads): the last lines are kept for messages and the input's streams are parsed as
/// they are reported. <see cref="CompleteAsync"/> checks the exit status; disposing kills the process (and its
/// children) if it still runs. Dispose is idempotent.
/// </summary>
public sealed class FfmpegProcess : IDisposable, IAsyncDisposable
{
    private const int TailLines = 8;
    private const int TailChars = 4096;

    private readonly Process _process;
    private readonly Queue<string> _tail = new();
    private readonly TaskCompletionSource<VideoStreamInfo?> _video = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private MediaProbe _probe = MediaProbe.Empty;
    private bool _inputDone;
    private int _disposed;

    internal FfmpegProcess(string input, Process process)
    {
        Input = input;
        _process = process;
        Output = process.StandardOutput.BaseStream;
        StandardInput = process.StartInfo.RedirectStandardInput ? process.StandardInput.BaseStream : null;
        // Taken here: the thread may outlive the Process object, which Dispose releases.
        var stderr = process.StandardError;
        new Thread(() => Drain(stderr)) { IsBackground = true, Name = "ffmpeg stderr" }.Start();
    }

    /// <summary>What ffmpeg reads (or, when encoding, writes), as named in messages.</summary>
    public string Input { get; }

    /// <summary>ffmpeg's standard output: the decoded samples or frames.</summary>
    public Stream Output { get; }

    /// <summary>ffmpeg's standard input when encoding (see <see cref="Ffmpeg.Encode"/>); null otherwise.</summary>
    public Stream? StandardInput { get; }

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>
    /// The input's first video stream, once ffmpeg reports it; null when ffmpeg started writing its output, or
    /// ended, without reporting one. Needs a log level of info (as <see cref="Ffmpeg.DecodeVideo"/> uses).
    /// </summary>
    public Task<VideoStreamInfo?> VideoStream => _video.Task;

    /// <summary>What ffmpeg has reported about its input so far (complete once the process has ended).</summary>
    public MediaProbe Probe
    {
        get
        {
            lock (_tail)
            {
                return _probe;
            }
        }
    }

    /// <summary>The last lines ffmpeg wrote to standard error, on one line; "(no message)" when it wrote none.</summary>
    public string ErrorTail()
    {
        lock (_tail)
        {
            var text = string.Join(" | ", _tail).Trim();
            if (text.Length > TailChars)
            {
                text = text[^TailChars..];
            }
            return text.Length == 0 ? "(no message)" : text;
        }
    }

    /// <summary>Waits for the process to end and its error output to be read; returns the exit status.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await _drained.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>
    /// Closes the standard input (when encoding), waits for the end and throws when ffmpeg failed.
    /// </summary>
    /// <exception cref="FfmpegException">ffmpeg exited with a non-zero status; the message has its last words.</exception>
    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        if (StandardInput is not null && !_inputDone)
        {
            _inputDone = true;
            await StandardInput.DisposeAsync().ConfigureAwait(false);
        }
        var exit = await WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (exit != 0)
        {
            throw new FfmpegException(Input, $"ffmpeg failed (exit {exit}): {ErrorTail()}");
        }
    }

    /// <summary>Kills the process tree if it still runs and releases it; waits at most a few seconds.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        Kill();
        try
        {
            _process.WaitForExit(2000);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }

    /// <inheritdoc cref="Dispose"/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        Kill();
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The kill was sent; a process that ignores it is the system's to reap.
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
        try
        {
            StandardInput?.Dispose();
        }
        catch (IOException)
        {
            // The pipe's reader is gone: nothing more to flush.
        }
    }

    private void Drain(StreamReader stderr)
    {
        try
        {
            var inInput = true;
            while (stderr.ReadLine() is { } line)
            {
                lock (_tail)
                {
                    _tail.Enqueue(line);
                    if (_tail.Count > TailLines)
                    {
                        _tail.Dequeue();
                    }
                    if (inInput && MediaProbe.EndsInput(line))
                    {
                        inInput = false;
                    }
                    else if (inInput)
                    {
                        _probe = _probe.With(line);
                    }
                }
                if (!_video.Task.IsCompleted && (!inInput || Probe.Video is not null))
                {
                    _video.TrySetResult(Probe.Video);
                }
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or IOException)
        {
            // The process was disposed and its pipe closed under the thread: nothing more to read.
        }
        finally
        {
            _video.TrySetResult(Probe.Video);
            _drained.TrySetResult();
        }
    }
}
