namespace StreamSeq.Nats;

/// <summary>Checks the NATS stages share.</summary>
internal static class NatsStageSettings
{
    /// <summary>
    /// A problem with a connection name (no such connection in the settings), or null. Settings that cannot work
    /// yet (a credentials file not provisioned, a server down) are not pipeline errors: the stages retry them.
    /// </summary>
    public static string? CheckConnection(string connection)
    {
        try
        {
            var name = string.IsNullOrWhiteSpace(connection) ? NatsConnectionSettings.DefaultName : connection;
            NatsConnections.Resolve(name);
            return null;
        }
        catch (NatsSettingsException e)
        {
            return e.Message;
        }
    }

    /// <summary>Who this process is, for results: host and process id.</summary>
    public static string Worker { get; } = $"{Environment.MachineName}:{Environment.ProcessId}";
}
