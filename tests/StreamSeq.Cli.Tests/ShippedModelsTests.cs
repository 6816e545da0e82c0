using StreamSeq.Cli.Tests.Support;

namespace StreamSeq.Cli.Tests;

public sealed class ShippedModelsTests : IDisposable
{
    private readonly TempDirectory _dir = new("shipped-models");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_default_model_missing_from_the_working_directory_is_found_in_the_streamseq_folder()
    {
        _dir.Write("streamseq/models/speech/model.json", "{}");
        _dir.Write("streamseq/artifacts/cli/streamseq.dll", "");
        _dir.Write("elsewhere/talk.wav", "");
        var home = _dir["streamseq"];

        // From the launcher (STREAMSEQ_HOME), and from the binaries' location when run without it.
        Assert.Equal(Path.Combine(home, "models/speech"), Cli.ShippedModels.Find("models/speech", _dir["elsewhere"], home, "/nonexistent"));
        Assert.Equal(Path.Combine(home, "models/speech"), Cli.ShippedModels.Find("models/speech", _dir["elsewhere"], null, _dir["streamseq/artifacts/cli"]));
    }

    [Fact]
    public void A_models_folder_in_the_working_directory_and_an_absolute_path_win_and_a_missing_model_keeps_its_name()
    {
        _dir.Write("streamseq/models/speech/model.json", "{}");
        _dir.Write("project/models/speech/model.json", "{}");
        var home = _dir["streamseq"];

        Assert.Equal("models/speech", Cli.ShippedModels.Find("models/speech", _dir["project"], home, "/nonexistent"));
        Assert.Equal("/abs/models/x", Cli.ShippedModels.Find("/abs/models/x", _dir["project"], home, "/nonexistent"));
        Assert.Equal("models/none", Cli.ShippedModels.Find("models/none", _dir["project"], home, "/nonexistent"));
    }

    [Fact]
    public async Task Transcribe_run_from_another_folder_uses_the_shipped_speech_model()
    {
        // The CLI's binaries sit below the repository (tests/…/bin), whose models/ holds the shipped model.
        var wav = Path.Combine(Repository.Root, "samples");
        var sample = Directory.EnumerateFiles(wav, "*.wav", SearchOption.AllDirectories).FirstOrDefault();
        Assert.NotNull(sample);

        var result = await StreamseqCli.RunAsync(_dir.Path, "transcribe", sample);

        Assert.True(result.ExitCode == 0, result.Describe());
    }
}
