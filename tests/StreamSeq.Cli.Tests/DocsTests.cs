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
    public void The_architecture_graph_lists_each_projects_references()
    {
        // The text graph in docs/architecture.md: "  Name ───> A, B   (packages)" or "Name   (note)", one project a line.
        var text = File.ReadAllText(Repository.PathOf("docs/architecture.md"));
        var block = text[text.IndexOf("StreamSeq.Cli ──>", StringComparison.Ordinal)..];
        block = block[..block.IndexOf("```", StringComparison.Ordinal)];
        var documented = new Dictionary<string, SortedSet<string>>();
        foreach (var raw in block.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var line = System.Text.RegularExpressions.Regex.Replace(raw, @"\s{2,}\(.*\)\s*$", "").Trim();
            if (line.StartsWith("plugins/", StringComparison.Ordinal) || line.Length == 0)
            {
                continue;
            }
            var parts = line.Split('>', 2);
            var name = parts[0].TrimEnd('─', ' ').Replace("StreamSeq.", "", StringComparison.Ordinal).Trim();
            var references = parts.Length < 2 ? [] : parts[1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            documented[name] = new SortedSet<string>(references, StringComparer.Ordinal);
        }

        var actual = Directory.GetDirectories(Repository.PathOf("src"))
            .Select(d => Path.GetFileName(d)!)
            .Where(d => d.StartsWith("StreamSeq.", StringComparison.Ordinal) && d != "StreamSeq.Abstractions")
            .ToDictionary(d => d["StreamSeq.".Length..], d => new SortedSet<string>(
                System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(Path.Combine(Repository.PathOf("src"), d, d + ".csproj")), @"ProjectReference Include=""\.\./StreamSeq\.([A-Za-z]+)/")
                    .Select(m => m.Groups[1].Value), StringComparer.Ordinal));

        Assert.Equal(actual.Keys.Order(StringComparer.Ordinal), documented.Keys.Order(StringComparer.Ordinal));
        foreach (var (project, references) in actual)
        {
            Assert.True(references.SetEquals(documented[project]), $"docs/architecture.md says {project} references [{string.Join(", ", documented[project])}], its .csproj [{string.Join(", ", references)}]");
        }
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
