using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using StreamSeq.Ingest;

namespace StreamSeq.Nats;

/// <summary>The server is older than the features StreamSeq relies on.</summary>
public sealed class NatsServerNotSupportedException(string message) : Exception(message);

/// <summary>
/// Opens connections for the NATS stages and the publisher: retries an unreachable server or unusable
/// settings with a doubling delay (logging why each attempt failed), and refuses servers older than
/// <see cref="MinimumServerVersion"/>.
/// </summary>
public static class NatsConnector
{
    /// <summary>
    /// The oldest server StreamSeq supports: 2.9 added the consumer create API with a single filter subject
    /// that the client uses. Multiple filter subjects (2.10) and consumer pause (2.11) are not used.
    /// </summary>
    public static readonly Version MinimumServerVersion = new(2, 9, 0);

    /// <summary>Connects, retrying until it works or <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <param name="connectionName">The connection's name in the settings.</param>
    /// <param name="who">Who connects, for messages (<c>stage 'in'</c>).</param>
    /// <param name="logger">Where failed attempts are reported.</param>
    /// <param name="cancellationToken">Ends the retries.</param>
    /// <exception cref="NatsServerNotSupportedException">The server is older than <see cref="MinimumServerVersion"/>.</exception>
    public static async Task<NatsConnection> ConnectAsync(string? connectionName, string who, ILogger logger, CancellationToken cancellationToken)
    {
        var name = string.IsNullOrWhiteSpace(connectionName) ? NatsConnectionSettings.DefaultName : connectionName;
        Backoff? retry = null;
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            NatsConnectionSettings? settings = null;
            NatsConnection? connection = null;
            try
            {
                settings = NatsConnections.Resolve(name);
                connection = new NatsConnection(settings.ToOpts(name, $"streamseq {who} pid {Environment.ProcessId}"));
                await connection.ConnectAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
                CheckVersion(connection, name, settings.Url);
                if (attempt > 1)
                {
                    logger.LogInformation("{Who}: connected to NATS connection '{Name}' ({Url}, server {Version}) after {Attempts} attempts",
                        who, name, settings.Url, connection.ServerInfo?.Version, attempt);
                }
                return connection;
            }
            catch (Exception e) when (e is not (OperationCanceledException or NatsServerNotSupportedException))
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
                // The schedule comes from the first failure's settings (or defaults when even they failed).
                if (retry is null)
                {
                    var first = settings?.ReconnectDelay ?? TimeSpan.FromSeconds(1);
                    retry = new Backoff(first, TimeSpan.FromTicks(Math.Max((settings?.MaxReconnectDelay ?? TimeSpan.FromSeconds(30)).Ticks, first.Ticks)));
                }
                retry.TryNext(out var wait);
                logger.LogError("{Who}: cannot connect to NATS connection '{Name}' ({Url}): {Reason}; attempt {Attempt}, retrying in {Delay:0.#} s",
                    who, name, settings?.Url ?? "no settings", Describe(e), attempt, wait.TotalSeconds);
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
                throw;
            }
        }
    }

    /// <summary>Parses a server version such as <c>2.9.10</c> or <c>2.11.0-RC.1</c>.</summary>
    public static Version? ParseVersion(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var end = 0;
        while (end < text.Length && (char.IsDigit(text[end]) || text[end] == '.'))
        {
            end++;
        }
        return Version.TryParse(text[..end].TrimEnd('.'), out var version) ? version : null;
    }

    private static void CheckVersion(NatsConnection connection, string name, string url)
    {
        var info = connection.ServerInfo;
        var version = ParseVersion(info?.Version);
        if (version is null || version < MinimumServerVersion)
        {
            throw new NatsServerNotSupportedException(
                $"NATS connection '{name}' ({url}): server version {info?.Version ?? "unknown"} is older than {MinimumServerVersion.ToString(3)}, the minimum StreamSeq supports (upgrade nats-server)");
        }
        if (info is { JetStreamAvailable: false })
        {
            throw new NatsServerNotSupportedException($"NATS connection '{name}' ({url}): JetStream is not enabled on the server (start it with -js)");
        }
    }

    /// <summary>The reason of a failed attempt, in one line (the client nests the socket error).</summary>
    internal static string Describe(Exception e)
    {
        var parts = new List<string>();
        for (var current = e; current is not null; current = current.InnerException)
        {
            if (!parts.Contains(current.Message))
            {
                parts.Add(current.Message);
            }
        }
        return string.Join(": ", parts);
    }
}
