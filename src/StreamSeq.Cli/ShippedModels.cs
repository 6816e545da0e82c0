namespace StreamSeq.Cli;

/// <summary>
/// Finds the models StreamSeq ships (<c>models/…</c> in its folder) when a verb runs from elsewhere: a user's
/// <c>~/recordings$ streamseq transcribe talk.wav</c> must find <c>models/speech</c> without a <c>--model</c>.
/// A default path that exists under the working directory wins (a project of one's own may hold its own
/// <c>models/</c>); otherwise the StreamSeq folder's copy (<c>STREAMSEQ_HOME</c>, which the launcher sets, or the
/// folder above the running CLI that holds <c>models/</c>) is used.
/// </summary>
internal static class ShippedModels
{
    /// <summary>The default model path <paramref name="relative"/>, resolved as described above (unchanged when found nowhere, so the error names it).</summary>
    public static string Find(string relative) => Find(relative, Directory.GetCurrentDirectory(), Environment.GetEnvironmentVariable("STREAMSEQ_HOME"), AppContext.BaseDirectory);

    internal static string Find(string relative, string workingDirectory, string? home, string binaries)
    {
        if (Path.IsPathRooted(relative) || Exists(Path.Combine(workingDirectory, relative)))
        {
            return relative;
        }
        foreach (var root in Roots(home, binaries))
        {
            var candidate = Path.GetFullPath(Path.Combine(root, relative));
            if (Exists(candidate))
            {
                return candidate;
            }
        }
        return relative;
    }

    private static IEnumerable<string> Roots(string? home, string binaries)
    {
        if (!string.IsNullOrWhiteSpace(home))
        {
            yield return home;
        }
        for (var directory = new DirectoryInfo(binaries); directory is not null; directory = directory.Parent)
        {
            if (Directory.Exists(Path.Combine(directory.FullName, "models")))
            {
                yield return directory.FullName;
                yield break;
            }
        }
    }

    private static bool Exists(string path) => Directory.Exists(path) || File.Exists(path);
}
