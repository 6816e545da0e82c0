namespace StreamSeq.Cli.Tests.Support;

/// <summary>Paths in the repository the tests were built from.</summary>
internal static class Repository
{
    /// <summary>The folder holding StreamSeq.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "StreamSeq.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"no StreamSeq.sln above {AppContext.BaseDirectory}");
    }
}
