namespace StreamSeq.Core.Tests.Support;

/// <summary>Finds the repository (the folder holding StreamSeq.sln) from the test's output folder.</summary>
public static class RepoPaths
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "StreamSeq.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("StreamSeq.sln not found above " + AppContext.BaseDirectory);
    }

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);
}
