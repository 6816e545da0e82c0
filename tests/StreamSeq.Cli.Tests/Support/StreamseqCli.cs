namespace StreamSeq.Cli.Tests.Support;

/// <summary>Runs the streamseq executable that the project reference copied next to the tests.</summary>
internal static class StreamseqCli
{
    /// <summary>Generous: a verb takes well under a second; the limit only stops a hang from stalling the run.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static string DllPath { get; } = Path.Combine(AppContext.BaseDirectory, "streamseq.dll");

    /// <summary>Runs <c>streamseq ARGS</c> in <paramref name="workingDirectory"/> to its end.</summary>
    public static Task<ProcessResult> RunAsync(string workingDirectory, params string[] arguments)
        => ChildProcess.RunAsync(ChildProcess.DotnetHost, [DllPath, .. arguments], workingDirectory, Timeout);

    /// <summary>Runs <c>streamseq ARGS</c> with <paramref name="standardInput"/> piped to it.</summary>
    public static Task<ProcessResult> RunWithInputAsync(string workingDirectory, string standardInput, params string[] arguments)
        => ChildProcess.RunAsync(ChildProcess.DotnetHost, [DllPath, .. arguments], workingDirectory, Timeout, standardInput: standardInput);

    /// <summary>Starts <c>streamseq daemon</c> in <paramref name="workingDirectory"/> (its content root).</summary>
    public static ChildProcess StartDaemon(string workingDirectory)
        => ChildProcess.Start(ChildProcess.DotnetHost, [DllPath, "daemon"], workingDirectory);
}
