using System.Net;
using System.Net.Sockets;
using StreamSeq.Cli.Tests.Support;

namespace StreamSeq.Nats.Tests.Support;

/// <summary>
/// A real nats-server with JetStream for one test: loopback only, a free port, a store in a temp folder;
/// it can be killed and started again on the same port and store (a restart), and is killed at the end.
/// </summary>
internal sealed class NatsServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new("nats-server");
    private ChildProcess? _process;

    private NatsServer(int port) => Port = port;

    public int Port { get; }

    public string Url => $"nats://127.0.0.1:{Port}";

    public static string Executable { get; } = FindExecutable();

    /// <summary>Starts a server on a free loopback port.</summary>
    public static async Task<NatsServer> StartAsync()
    {
        var server = new NatsServer(FreePort());
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>A loopback port nothing listens on now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Stops the server as a service manager does (SIGTERM: clients are cut off mid-stream, the store is
    /// flushed) and starts it again on the same port and store.
    /// </summary>
    public async Task RestartAsync()
    {
        if (_process is not null)
        {
            await _process.TerminateAsync();
            if (!await _process.WaitForExitAsync(TimeSpan.FromSeconds(20)))
            {
                throw new InvalidOperationException($"nats-server did not stop on SIGTERM: {_process.Describe()}");
            }
            await _process.DisposeAsync();
            _process = null;
        }
        await StartProcessAsync();
    }

    /// <summary>Starts the stopped server again (same port, same store).</summary>
    public Task StartAgainAsync() => _process is null ? StartProcessAsync() : throw new InvalidOperationException("the server is running");

    public async Task StopAsync()
    {
        if (_process is not null)
        {
            _process.Kill();
            await _process.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await _process.DisposeAsync();
            _process = null;
        }
    }

    /// <summary>What the server printed, for assertion messages.</summary>
    public string Describe() => _process?.Describe() ?? "(server not running)";

    private async Task StartProcessAsync()
    {
        _process = ChildProcess.Start(Executable, ["-js", "-a", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-sd", _dir.Path], _dir.Path);
        var deadline = DateTime.UtcNow + StartTimeout;
        while (!_process.StdErr.Text.Contains("Server is ready", StringComparison.Ordinal))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"nats-server did not start on port {Port}: {_process.Describe()}");
            }
            await Task.Delay(20);
        }
    }

    private static string FindExecutable()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin").Append("/usr/local/bin"))
        {
            var candidate = Path.Combine(directory, "nats-server");
            if (directory.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("nats-server is not installed (scripts/setup.sh installs it: apt-get install nats-server)");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _dir.Dispose();
    }
}
