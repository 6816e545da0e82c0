using Microsoft.Extensions.Configuration;
using NATS.Client.Core;

namespace StreamSeq.Nats;

/// <summary>TLS settings of one NATS connection.</summary>
public sealed class NatsTlsSettings
{
    /// <summary><c>Auto</c> (TLS when the URL is <c>tls://</c> or the server asks), <c>Require</c>, <c>Prefer</c>, <c>Implicit</c> or <c>Disable</c>.</summary>
    public TlsMode Mode { get; set; } = TlsMode.Auto;

    /// <summary>PEM file of the certificate authorities that sign the server's certificate.</summary>
    public string? CaFile { get; set; }

    /// <summary>PEM client certificate, for servers that verify clients.</summary>
    public string? CertFile { get; set; }

    /// <summary>PEM private key of <see cref="CertFile"/>.</summary>
    public string? KeyFile { get; set; }

    /// <summary>Skips verifying the server's certificate (tests only).</summary>
    public bool InsecureSkipVerify { get; set; }
}

/// <summary>
/// One named NATS connection (<c>Nats:Connections:NAME</c> in appsettings.json, or
/// <c>STREAMSEQ_Nats__Connections__NAME__Url</c> in the environment). Pipelines name a connection; they never
/// hold URLs or credentials, so pipeline files can be committed.
/// </summary>
public sealed class NatsConnectionSettings
{
    /// <summary>The connection pipelines use when they name none.</summary>
    public const string DefaultName = "default";

    /// <summary>Server URL(s), comma-separated (<c>nats://host:4222</c>, <c>tls://host:4222</c>).</summary>
    public string Url { get; set; } = "nats://127.0.0.1:4222";

    /// <summary>A <c>.creds</c> file (user JWT + NKey seed), as issued by <c>nsc</c>.</summary>
    public string? CredentialsFile { get; set; }

    /// <summary>An NKey seed file.</summary>
    public string? NKeyFile { get; set; }

    /// <summary>User name, with <see cref="Password"/>.</summary>
    public string? Username { get; set; }

    /// <summary>Password of <see cref="Username"/>.</summary>
    public string? Password { get; set; }

    /// <summary>An authentication token.</summary>
    public string? Token { get; set; }

    /// <summary>TLS settings.</summary>
    public NatsTlsSettings Tls { get; set; } = new();

    /// <summary>How long one connection attempt may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The first wait before retrying a failed connection; it doubles up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between connection attempts.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Builds the client's options; <paramref name="clientName"/> shows in the server's connection list.</summary>
    /// <exception cref="NatsSettingsException">A file the settings name does not exist.</exception>
    public NatsOpts ToOpts(string connectionName, string clientName)
    {
        foreach (var (key, file) in new[] { ("CredentialsFile", CredentialsFile), ("NKeyFile", NKeyFile), ("Tls:CaFile", Tls.CaFile), ("Tls:CertFile", Tls.CertFile), ("Tls:KeyFile", Tls.KeyFile) })
        {
            if (!string.IsNullOrEmpty(file) && !File.Exists(file))
            {
                throw new NatsSettingsException($"NATS connection '{connectionName}': {key} '{file}' does not exist (Nats:Connections:{connectionName}:{key})");
            }
        }
        if (string.IsNullOrWhiteSpace(Url))
        {
            throw new NatsSettingsException($"NATS connection '{connectionName}': Url is empty (Nats:Connections:{connectionName}:Url)");
        }
        foreach (var url in Url.Split(','))
        {
            if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("nats" or "tls" or "ws" or "wss"))
            {
                throw new NatsSettingsException($"NATS connection '{connectionName}': Url '{url.Trim()}' is not a nats://, tls://, ws:// or wss:// URL (Nats:Connections:{connectionName}:Url)");
            }
        }
        return NatsOpts.Default with
        {
            Url = Url,
            Name = clientName,
            ConnectTimeout = ConnectTimeout,
            // After the first connection the client reconnects by itself, forever, with jittered backoff.
            MaxReconnectRetry = -1,
            ReconnectWaitMin = ReconnectDelay,
            ReconnectWaitMax = MaxReconnectDelay,
            AuthOpts = NatsAuthOpts.Default with
            {
                CredsFile = NullIfEmpty(CredentialsFile),
                NKeyFile = NullIfEmpty(NKeyFile),
                Username = NullIfEmpty(Username),
                Password = NullIfEmpty(Password),
                Token = NullIfEmpty(Token),
            },
            TlsOpts = NatsTlsOpts.Default with
            {
                Mode = Tls.Mode,
                CaFile = NullIfEmpty(Tls.CaFile),
                CertFile = NullIfEmpty(Tls.CertFile),
                KeyFile = NullIfEmpty(Tls.KeyFile),
                InsecureSkipVerify = Tls.InsecureSkipVerify,
            },
        };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>Where the settings were read from, without secrets, for messages.</summary>
    public override string ToString() => Url;
}

/// <summary>Connection settings that cannot work (a missing file, a malformed URL, an unknown name).</summary>
public sealed class NatsSettingsException(string message) : Exception(message);

/// <summary>
/// Named connections, read from the host's configuration (section <c>Nats</c>): the one every streamseq verb and
/// the daemon build from <c>appsettings.json</c> or <c>--settings</c>, <c>STREAMSEQ_</c> environment variables
/// (<c>STREAMSEQ_Nats__Connections__default__Url=nats://host:4222</c>) and the command line. There is no
/// private reader: until a host hands its configuration over, only the default connection exists.
/// </summary>
public static class NatsConnections
{
    /// <summary>The settings section.</summary>
    public const string Section = "Nats";

    /// <summary>Replaces the configuration that connections are read from (the host's, or a test's).</summary>
    public static IConfiguration? Configuration { get; set; }

    /// <summary>The settings of a named connection; <c>default</c> falls back to <c>nats://127.0.0.1:4222</c>.</summary>
    /// <exception cref="NatsSettingsException">No connection has that name.</exception>
    public static NatsConnectionSettings Resolve(string? name)
    {
        name = string.IsNullOrWhiteSpace(name) ? NatsConnectionSettings.DefaultName : name;
        var configuration = Configuration ?? Empty;
        var section = configuration.GetSection($"{Section}:Connections:{name}");
        if (!section.Exists())
        {
            if (name == NatsConnectionSettings.DefaultName)
            {
                return new NatsConnectionSettings();
            }
            var known = configuration.GetSection($"{Section}:Connections").GetChildren().Select(c => c.Key).ToList();
            throw new NatsSettingsException($"no NATS connection named '{name}' in the settings (Nats:Connections:{name} in appsettings.json or STREAMSEQ_Nats__Connections__{name}__Url); known: {(known.Count == 0 ? "none" : string.Join(", ", known))}");
        }
        var settings = new NatsConnectionSettings();
        try
        {
            section.Bind(settings);
        }
        catch (InvalidOperationException e)
        {
            throw new NatsSettingsException($"NATS connection '{name}': {e.Message}");
        }
        return settings;
    }

    private static readonly IConfiguration Empty = new ConfigurationBuilder().Build();
}
