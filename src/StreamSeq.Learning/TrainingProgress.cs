using System.Diagnostics;

namespace StreamSeq.Learning;

/// <summary>
/// A progress line for long work on stderr: a bar, counts, rate and time left, redrawn in place on a
/// terminal and printed every few seconds otherwise (logs, CI), so long training is never silent.
/// </summary>
public sealed class TrainingProgress
{
    private readonly TextWriter _writer;
    private readonly string _label;
    private readonly long _total;
    private readonly bool _interactive;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private TimeSpan? _lastDraw;

    public TrainingProgress(TextWriter writer, string label, long total)
    {
        _writer = writer;
        _label = label;
        _total = Math.Max(1, total);
        _interactive = ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected;
    }

    /// <summary>Reports <paramref name="done"/> of the total, with a short status such as the current loss.</summary>
    /// <remarks>Safe to call from several threads (parallel loaders).</remarks>
    public void Report(long done, string status = "")
    {
        lock (_gate)
        {
            Draw(done, status);
        }
    }

    private void Draw(long done, string status)
    {
        var now = _clock.Elapsed;
        var finished = done >= _total;
        if (!finished && _lastDraw is { } last && now - last < (_interactive ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds(5)))
        {
            return;
        }
        _lastDraw = now;
        var fraction = Math.Clamp(done / (double)_total, 0, 1);
        const int width = 24;
        var filled = (int)Math.Round(fraction * width);
        var left = fraction > 0 ? TimeSpan.FromSeconds(now.TotalSeconds * (1 - fraction) / fraction) : TimeSpan.Zero;
        var line = $"{_label} [{new string('#', filled)}{new string('.', width - filled)}] {done}/{_total} {status} {now:mm\\:ss} elapsed, {left:mm\\:ss} left";
        if (_interactive)
        {
            _writer.Write("\r" + line.PadRight(Math.Min(Console.WindowWidth > 0 ? Console.WindowWidth - 1 : 120, 160)));
            if (finished)
            {
                _writer.WriteLine();
            }
        }
        else
        {
            _writer.WriteLine(line);
        }
    }
}
