using StreamSeq.Cli.Tests.Support;

namespace StreamSeq.Cli.Tests.Commands;

public sealed class SpeechDataCommandTests
{
    [Fact]
    public async Task Data_speech_writes_a_small_set_with_manifests_and_progress()
    {
        using var temp = new TempDirectory("speech");
        var result = await StreamseqCli.RunAsync(temp.Path, "data", "speech", "--out", "set", "--train", "2", "--test", "1", "--seed", "3");
        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains("data speech: 3/3", result.StdErr);
        var train = File.ReadAllLines(Path.Combine(temp.Path, "set", "train.tsv"));
        Assert.Equal(2, train.Length);
        Assert.Single(File.ReadAllLines(Path.Combine(temp.Path, "set", "test.tsv")));
        foreach (var line in train)
        {
            var audio = line.Split('\t')[0];
            Assert.True(new FileInfo(Path.Combine(temp.Path, "set", audio)).Length > 10_000, audio);
        }
    }

    [Fact]
    public async Task Bad_arguments_are_an_invalid_invocation()
    {
        using var temp = new TempDirectory("speech");
        var result = await StreamseqCli.RunAsync(temp.Path, "data", "speech", "--noise", "2");
        Assert.Equal(2, result.ExitCode);
    }
}
