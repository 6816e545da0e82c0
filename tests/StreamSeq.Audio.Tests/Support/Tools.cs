using System.Diagnostics;

namespace StreamSeq.Audio.Tests.Support;

/// <summary>Runs sox and ffmpeg (installed by scripts/setup.sh) to make files with independent tools.</summary>
public static class Tools
{
    public static void Run(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(true);
            throw new TimeoutException($"{program} did not finish");
        }
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} failed: {stderr.Result}{stdout.Result}");
    }
}
