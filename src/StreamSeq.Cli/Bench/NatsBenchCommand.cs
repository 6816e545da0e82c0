using System.CommandLine;
using System.Text.Json;
using StreamSeq.Cli.Commands;

namespace StreamSeq.Cli.Bench;

/// <summary><c>streamseq bench nats</c>: scale-out throughput on a nats-server it starts (see <see cref="NatsBenchmark"/>).</summary>
internal static class NatsBenchCommand
{
    public static Command Create()
    {
        var small = new Option<int>("--messages") { Description = "Small (100 B) messages per timed round", DefaultValueFactory = _ => 3000 };
        var frames = new Option<int>("--frames") { Description = "64 KB messages per timed round", DefaultValueFactory = _ => 600 };
        var trials = new Option<int>("--trials") { Description = "Interleaved trials per measurement (the median is reported)", DefaultValueFactory = _ => 3 };
        var prefetch = new Option<int>("--prefetch") { Description = "Messages each consumer pulls ahead (nats.source prefetch and the bare loop alike)", DefaultValueFactory = _ => 16 };
        var output = new Option<string?>("--output", "-o") { Description = "Also write the JSON report to this file" };
        var command = new Command("nats", "Messages/s through nats.source workers (1, 2, 4 processes) vs a bare NATS.Net consume+ack loop")
        {
            small, frames, trials, prefetch, output,
        };
        command.SetAction(async result =>
        {
            var (messages, frameCount, repeat, ahead) = (result.GetValue(small), result.GetValue(frames), result.GetValue(trials), result.GetValue(prefetch));
            if (messages < 100 || frameCount < 10 || repeat < 1 || ahead is < 1 or > 1024)
            {
                Console.Error.WriteLine("streamseq bench nats: --messages >= 100, --frames >= 10, --trials >= 1, --prefetch 1-1024");
                return ExitCodes.Invalid;
            }
            try
            {
                var report = await new NatsBenchmark(messages, frameCount, repeat, ahead, Console.Error).RunAsync().ConfigureAwait(false);
                var text = report.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
                Console.WriteLine(text);
                if (result.GetValue(output) is { } path)
                {
                    await File.WriteAllTextAsync(path, text + Environment.NewLine).ConfigureAwait(false);
                }
                return ExitCodes.Success;
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or NATS.Client.Core.NatsException)
            {
                Console.Error.WriteLine($"streamseq bench nats: {e.Message}");
                return ExitCodes.Failed;
            }
        });
        return command;
    }
}
