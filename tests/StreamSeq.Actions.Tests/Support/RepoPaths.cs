namespace StreamSeq.Actions.Tests.Support;

/// <summary>Paths in the repository these tests run from.</summary>
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

/// <summary>The MNIST digits setup installs, loaded once for all tests.</summary>
public static class Digits
{
    private static readonly Lazy<StreamSeq.Learning.Data.MnistDigits> Loaded = new(() => StreamSeq.Learning.Data.MnistDigits.Load(RepoPaths.Combine(".cache", "data", "mnist")));

    public static StreamSeq.Learning.Data.MnistDigits All => Loaded.Value;
}
