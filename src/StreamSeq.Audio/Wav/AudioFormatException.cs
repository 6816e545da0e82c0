namespace StreamSeq.Audio.Wav;

/// <summary>An audio file or stream that cannot be decoded: corrupt, truncated or of an unsupported format.
/// The message names the file. An <see cref="IOException"/>, so hosts treat it as bad input, not a defect.</summary>
public sealed class AudioFormatException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="source">The file path or stream name the problem is in.</param>
    /// <param name="problem">What is wrong, without the file name.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public AudioFormatException(string source, string problem, Exception? inner = null)
        : base($"{source}: {problem}", inner)
    {
        Source = source;
        Problem = problem;
    }

    /// <summary>The file path or stream name.</summary>
    public new string Source { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }
}
