using StreamSeq.Cli.Tests.Support;

namespace StreamSeq.Cli.Tests.Plugins;

/// <summary>
/// Builds plugins/StreamSeq.Plugins.Text once for its test class, into a folder of its own laid out as the
/// loader expects (<c>Plugins/StreamSeq.Plugins.Text/StreamSeq.Plugins.Text.dll</c>), so the tests neither
/// depend on nor disturb plugins/bin.
/// </summary>
public sealed class TextPluginFixture : IAsyncLifetime
{
    public const string Name = "StreamSeq.Plugins.Text";

    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(3);
    private readonly TempDirectory _dir = new("text-plugin");

    /// <summary>The folder to pass as <c>--plugins</c>: it holds the plugin's folder.</summary>
    public string PluginsRoot => _dir["plugins"];

    /// <summary>The plugin assembly.</summary>
    public string AssemblyPath => Path.Combine(PluginsRoot, Name, Name + ".dll");

    public async Task InitializeAsync()
    {
        var project = Repository.PathOf($"plugins/{Name}/{Name}.csproj");
        // No node reuse and no compiler server: both outlive the build holding our output pipes, and would
        // keep running after the tests.
        var result = await ChildProcess.RunAsync(ChildProcess.DotnetHost,
            ["build", project, "-c", "Release", "-o", Path.Combine(PluginsRoot, Name), "-nologo", "-v", "quiet", "-nodeReuse:false", "-p:UseSharedCompilation=false"],
            Repository.Root, BuildTimeout,
            new Dictionary<string, string> { ["MSBUILDDISABLENODEREUSE"] = "1", ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0" });
        Assert.True(result.ExitCode == 0, $"building {project} failed: {result.Describe()}");
        Assert.True(File.Exists(AssemblyPath), $"the build did not produce {AssemblyPath}");
    }

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }
}
