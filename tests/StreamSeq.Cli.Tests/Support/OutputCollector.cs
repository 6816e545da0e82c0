using System.Text;

namespace StreamSeq.Cli.Tests.Support;

/// <summary>
/// Reads a child's stdout or stderr as it arrives, so a long-running child (the daemon) can be watched while it
/// runs and a chatty one never blocks on a full pipe.
/// </summary>
internal sealed class OutputCollector
{
    private readonly StringBuilder _text = new();
    private readonly Task _pump;

    public OutputCollector(StreamReader reader) => _pump = PumpAsync(reader);

    /// <summary>Everything read so far.</summary>
    public string Text
    {
        get
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }
    }

    /// <summary>How many characters were read so far; a mark for "what came after this point".</summary>
    public int Length
    {
        get
        {
            lock (_text)
            {
                return _text.Length;
            }
        }
    }

    /// <summary>
    /// Waits for the end of the stream, at most <paramref name="grace"/>: a grandchild that inherited the pipe
    /// (a build server) can keep it open long after the child exited, and that must not hang a test.
    /// </summary>
    public async Task WaitForEndAsync(TimeSpan grace)
    {
        try
        {
            await _pump.WaitAsync(grace);
        }
        catch (TimeoutException)
        {
        }
    }

    private async Task PumpAsync(StreamReader reader)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (_text)
            {
                _text.Append(buffer, 0, read);
            }
        }
    }
}
