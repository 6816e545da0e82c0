using StreamSeq.Cli.Tests.Support;

namespace StreamSeq.Cli.Tests;

public sealed class CliEnvironmentTests : IDisposable
{
    private readonly TempDirectory _dir = new("settings");

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("""{ "StreamSeq": { } }""", new[] { "plugins/bin" })]
    [InlineData("""{ "StreamSeq": { "Plugins": [] } }""", new string[0])]
    [InlineData("""{ "StreamSeq": { "Plugins": [ "/opt/streamseq/plugins", "more" ] } }""", new[] { "/opt/streamseq/plugins", "more" })]
    public void Plugin_folders_are_the_configured_ones_or_the_default_when_none_is_configured(string settings, string[] expected)
    {
        var file = _dir.Write("appsettings.json", settings);

        var environment = CliEnvironment.Load(file);

        Assert.Equal(expected, environment.Settings.Plugins);
    }
}
