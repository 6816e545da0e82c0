namespace StreamSeq.Cli.Tests.Support;

/// <summary>A fresh directory per test (a working directory, pipeline files, outputs), deleted afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "streamseq-cli-tests", $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>The full path of <paramref name="relative"/> inside the directory.</summary>
    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    /// <summary>Writes a file (creating folders), replacing it in one step so a watcher never reads half of it.</summary>
    public string Write(string relative, string content)
    {
        var target = this[relative];
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        var staging = target + ".tmp-" + Guid.NewGuid().ToString("N");
        File.WriteAllText(staging, content);
        File.Move(staging, target, overwrite: true);
        return target;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A child killed at the end of a failed test may still hold a file; the OS temp cleaner gets it.
        }
    }
}
