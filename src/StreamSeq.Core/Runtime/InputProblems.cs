namespace StreamSeq.Runtime;

/// <summary>
/// Tells failures caused by what a user gave (a missing file, an unreachable camera, corrupt media, bad data) from
/// failures of the code. The first are logged as one line with the message; only the second carry a stack trace,
/// which helps a developer and only buries the message for a user.
/// </summary>
public static class InputProblems
{
    /// <summary>Whether <paramref name="error"/> is about the input or environment rather than a defect.</summary>
    public static bool Is(Exception error) => error is IOException or InvalidDataException or UnauthorizedAccessException or TimeoutException
        || (error is AggregateException { InnerExceptions.Count: > 0 } all && all.InnerExceptions.All(Is));
}
