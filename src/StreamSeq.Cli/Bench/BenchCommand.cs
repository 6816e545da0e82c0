using System.CommandLine;
using System.Text.Json;
using StreamSeq.Cli.Commands;

namespace StreamSeq.Cli.Bench;

/// <summary><c>streamseq bench engine</c>: throughput and memory reports as JSON (progress on stderr).</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var packets = new Option<long>("--packets") { Description = "Packets per throughput trial", DefaultValueFactory = _ => 1_000_000 };
        var soak = new Option<long>("--soak-packets") { Description = "Packets of the single long run whose memory is watched (0 skips it)", DefaultValueFactory = _ => 5_000_000 };
        var capacity = new Option<int>("--capacity") { Description = "Bound of every channel, block and edge", DefaultValueFactory = _ => 256 };
        var trials = new Option<int>("--trials") { Description = "Interleaved trials per implementation (the median is reported)", DefaultValueFactory = _ => 9 };
        var output = new Option<string?>("--output", "-o") { Description = "Also write the JSON report to this file" };
        var engine = new Command("engine", "Engine throughput vs raw bounded channels and TPL Dataflow, and memory over the run")
        {
            packets, soak, capacity, trials, output,
        };
        engine.SetAction(async result =>
        {
            var count = result.GetValue(packets);
            var bound = result.GetValue(capacity);
            var repeat = result.GetValue(trials);
            if (count < 1000 || bound < 1 || repeat < 1)
            {
                Console.Error.WriteLine("streamseq bench engine: --packets >= 1000, --capacity >= 1 and --trials >= 1");
                return ExitCodes.Invalid;
            }
            var soakCount = result.GetValue(soak);
            if (soakCount is > 0 and < 1000)
            {
                Console.Error.WriteLine("streamseq bench engine: --soak-packets is 0 (skip) or >= 1000");
                return ExitCodes.Invalid;
            }
            var report = await new EngineBenchmark(count, bound, repeat, Console.Error, soakCount).RunAsync().ConfigureAwait(false);
            var text = report.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            Console.WriteLine(text);
            if (result.GetValue(output) is { } path)
            {
                await File.WriteAllTextAsync(path, text + Environment.NewLine).ConfigureAwait(false);
            }
            return ExitCodes.Success;
        });
        return new Command("bench", "Benchmarks that print JSON reports")
        {
            engine,
            LatticeBenchmark.Command(),
            VideoBenchmark.Command(),
            NatsBenchCommand.Create(),
            AudioBenchmark.CreateCommand(),
            SpeechBenchmark.Command(),
            OcrBenchmark.Command(),
        };
    }
}
