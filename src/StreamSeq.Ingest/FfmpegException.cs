namespace StreamSeq.Ingest;

/// <summary>ffmpeg could not be run, or it failed on an input; the message names the input and gives ffmpeg's own words.</summary>
public sealed class FfmpegException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="input">What ffmpeg was reading or writing.</param>
    /// <param name="message">What went wrong.</param>
    /// <param name="inner">The underlying failure, if any.</param>
    public FfmpegException(string input, string message, Exception? inner = null) : base($"{input}: {message}", inner)
    {
        Input = input;
        Reason = message;
    }

    /// <summary>What ffmpeg was reading or writing.</summary>
    public string Input { get; }

    /// <summary>The message without the input's name.</summary>
    public string Reason { get; }
}
