using Microsoft.Extensions.Logging;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace StreamSeq.Nats;

/// <summary>Creates the streams StreamSeq needs when they are missing, tolerating other workers doing the same at once.</summary>
public static class JetStreamSetup
{
    private const int StreamNotFound = 10059;
    private const int StreamNameInUse = 10058;

    /// <summary>Returns the stream, creating it with <paramref name="config"/> when it does not exist.</summary>
    public static async Task<INatsJSStream> EnsureStreamAsync(INatsJSContext js, StreamConfig config, ILogger logger, string who, CancellationToken cancellationToken)
    {
        try
        {
            return await js.GetStreamAsync(config.Name!, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (NatsJSApiException e) when (e.Error.ErrCode == StreamNotFound || e.Error.Code == 404)
        {
        }
        try
        {
            var stream = await js.CreateStreamAsync(config, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("{Who}: created JetStream stream '{Stream}' ({Retention}, subjects {Subjects})",
                who, config.Name, config.Retention, string.Join(", ", config.Subjects ?? []));
            return stream;
        }
        catch (NatsJSApiException e) when (e.Error.ErrCode == StreamNameInUse)
        {
            // Another worker created it between our look-up and our create.
            return await js.GetStreamAsync(config.Name!, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Checks a stream or consumer name as JetStream does (no spaces, dots or wildcards).</summary>
    public static string? CheckName(string name, string what)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return $"'{what}' must not be empty";
        }
        return name.IndexOfAny([' ', '\t', '.', '*', '>', '/', '\\']) >= 0
            ? $"'{what}' ('{name}') must not contain spaces, '.', '*', '>', '/' or '\\'"
            : null;
    }

    /// <summary>Checks a subject to publish to (no wildcards, no empty tokens).</summary>
    public static string? CheckSubject(string subject, string what, bool allowWildcards)
    {
        if (string.IsNullOrWhiteSpace(subject) || subject.Contains(' ', StringComparison.Ordinal) || subject.Split('.').Any(t => t.Length == 0))
        {
            return $"'{what}' ('{subject}') is not a NATS subject (dot-separated tokens, no spaces)";
        }
        if (!allowWildcards && (subject.Contains('*', StringComparison.Ordinal) || subject.Contains('>', StringComparison.Ordinal)))
        {
            return $"'{what}' ('{subject}') must not contain wildcards";
        }
        return null;
    }
}
