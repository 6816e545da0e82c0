using System.CommandLine;
using System.Text.Json;
using StreamSeq.Cli.Commands;

namespace StreamSeq.Cli.Bench;

/// <summary><c>streamseq bench engine</c>: throughput and memory reports as JSON (progress on stderr).</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var packets = new Option<long>("--packets") { Description = "Packets per trial", DefaultValueFactory = _ => 5_000_000 };
        var capacity = new Option<int>("--capacity") { Description = "Bound of every channel, block and edge", DefaultValueFactory = _ => 256 };
        var trials = new Option<int>("--trials") { Description = "Interleaved trials per implementation (the median is reported)", DefaultValueFactory = _ => 3 };
        var output = new Option<string?>("--output", "-o") { Description = "Also write the JSON report to this file" };
        var engine = new Command("engine", "Engine throughput vs raw bounded channels and TPL Dataflow, and memory over the run")
        {
            packets, capacity, trials, output,
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
            var report = await new EngineBenchmark(count, bound, repeat, Console.Error).RunAsync().ConfigureAwait(false);
            var text = report.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
            Console.WriteLine(text);
            if (result.GetValue(output) is { } path)
            {
                await File.WriteAllTextAsync(path, text + Environment.NewLine).ConfigureAwait(false);
            }
            return ExitCodes.Success;
        });
        return new Command("bench", "Benchmarks that print JSON reports") { engine };
    }
}
