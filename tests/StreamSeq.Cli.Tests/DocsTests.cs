using StreamSeq.Cli.Tests.Support;

namespace StreamSeq.Cli.Tests;

/// <summary>
/// The docs stay true to the tree: every link, anchor and repository path they name exists, and the one stage
/// table (docs/pipelines.md) matches the stage catalogue. Both checks are the scripts in docs/tools, so a
/// writer can run them by hand; here they fail the suite when a rename or a moved file leaves the docs behind.
/// </summary>
public sealed class DocsTests : IDisposable
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _dir = new("docs");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Every_link_anchor_and_path_in_the_readme_and_docs_exists()
    {
        var result = await ChildProcess.RunAsync("python3", [Repository.PathOf("docs/tools/check-links.py")], Repository.Root, ScriptTimeout);

        Assert.True(result.ExitCode == 0, result.Describe());
    }

    [Fact]
    public async Task The_stage_table_in_the_docs_matches_the_stage_catalogue()
    {
        var catalogue = await StreamseqCli.RunAsync(Repository.Root, "stages", "--json");
        Assert.True(catalogue.ExitCode == 0, catalogue.Describe());
        var path = Path.Combine(_dir.Path, "stages.json");
        await File.WriteAllTextAsync(path, catalogue.StdOut);

        var result = await ChildProcess.RunAsync("python3", [Repository.PathOf("docs/tools/stage-table.py"), path, "--check"], Repository.Root, ScriptTimeout);

        Assert.True(result.ExitCode == 0, "docs/pipelines.md's stage table is stale; regenerate it with docs/tools/stage-table.py --write\n" + result.Describe());
    }
}
