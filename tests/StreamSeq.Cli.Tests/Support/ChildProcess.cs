using System.Diagnostics;

namespace StreamSeq.Cli.Tests.Support;

/// <summary>How a finished child process ended and what it printed.</summary>
internal sealed record ProcessResult(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>stdout and stderr, labelled, for assertion messages.</summary>
    public string Describe() => $"exit code {ExitCode}{Environment.NewLine}--- stdout ---{Environment.NewLine}{StdOut}--- stderr ---{Environment.NewLine}{StdErr}";
}

/// <summary>
/// A child process with stdin closed and stdout/stderr collected as they arrive, in an environment cleaned of
/// settings that would make a test depend on the machine (STREAMSEQ_ variables, MSBuild state of the test run).
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(5);
    private readonly Process _process;

    private ChildProcess(Process process)
    {
        _process = process;
        StdOut = new OutputCollector(process.StandardOutput);
        StdErr = new OutputCollector(process.StandardError);
    }

    public OutputCollector StdOut { get; }

    public OutputCollector StdErr { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The dotnet host that runs the tests, so children use the same runtime.</summary>
    public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null,
        string? standardInput = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var name in info.Environment.Keys.ToList())
        {
            if (name.StartsWith("STREAMSEQ", StringComparison.OrdinalIgnoreCase) || name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase))
            {
                info.Environment.Remove(name);
            }
        }
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        if (standardInput is not null)
        {
            process.StandardInput.Write(standardInput);
        }
        // Closed, not left open: a verb that reads stdin by mistake sees its end instead of hanging the test.
        process.StandardInput.Close();
        return new ChildProcess(process);
    }

    /// <summary>Runs a process to its end, killing its whole tree if it outlives <paramref name="timeout"/>.</summary>
    /// <exception cref="TimeoutException">The process did not end in time (its output is in the message).</exception>
    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null, string? standardInput = null)
    {
        await using var child = Start(fileName, arguments, workingDirectory, environment, standardInput);
        if (!await child.WaitForExitAsync(timeout))
        {
            child.Kill();
            await child.WaitForExitAsync(TimeSpan.FromSeconds(10));
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not end within {timeout} and was killed{Environment.NewLine}{child.Describe()}");
        }
        return await child.ResultAsync();
    }

    /// <summary>Waits for the process to exit; false when it is still running after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
            return true;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>The exit code and the complete output of an exited process.</summary>
    public async Task<ProcessResult> ResultAsync()
    {
        await Task.WhenAll(StdOut.WaitForEndAsync(OutputGrace), StdErr.WaitForEndAsync(OutputGrace));
        return new ProcessResult(_process.ExitCode, StdOut.Text, StdErr.Text);
    }

    /// <summary>Sends SIGTERM, as systemd and docker stop do.</summary>
    public async Task TerminateAsync()
    {
        var result = await RunAsync("kill", ["-TERM", Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], Environment.CurrentDirectory, TimeSpan.FromSeconds(10));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -TERM {Id} failed: {result.Describe()}");
        }
    }

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    /// <summary>What the process printed so far, for assertion messages.</summary>
    public string Describe()
        => $"{(_process.HasExited ? $"exit code {_process.ExitCode}" : "still running")}{Environment.NewLine}--- stdout ---{Environment.NewLine}{StdOut.Text}--- stderr ---{Environment.NewLine}{StdErr.Text}";

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
            await WaitForExitAsync(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
    }
}
