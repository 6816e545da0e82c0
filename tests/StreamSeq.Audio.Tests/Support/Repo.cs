namespace StreamSeq.Audio.Tests.Support;

/// <summary>The repository root (the folder holding StreamSeq.sln).</summary>
public static class Repo
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "StreamSeq.sln")))
            {
                return d.FullName;
            }
        }
        throw new InvalidOperationException("StreamSeq.sln not found above " + AppContext.BaseDirectory);
    }
}
