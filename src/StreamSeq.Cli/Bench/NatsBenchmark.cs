using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using StreamSeq.Nats;

namespace StreamSeq.Cli.Bench;

/// <summary>
/// <c>streamseq bench nats</c>: messages per second through <c>nats.source → passthrough → sink.null</c> in 1, 2
/// and 4 worker processes sharing one consumer, next to a bare NATS.Net consume+ack loop with as many
/// consumers, on a nats-server this benchmark starts (loopback, memory streams). Each round publishes a batch
/// (core publish into the stream) and times it until the work queue is empty, i.e. every message acked.
/// Worker processes are added between rounds (1, then 2, then 4) so their start-up is not timed.
/// </summary>
internal sealed class NatsBenchmark(int smallMessages, int frameMessages, int trials, int prefetch, TextWriter progress)
{
    private const int SmallSize = 100;
    private const int FrameSize = 64 * 1024;
    private static readonly int[] WorkerCounts = [1, 2, 4];
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromSeconds(120);

    public async Task<JsonObject> RunAsync()
    {
        var executable = FindServer();
        var store = Directory.CreateTempSubdirectory("streamseq-bench-nats-");
        var port = FreePort();
        var url = $"nats://127.0.0.1:{port}";
        using var server = StartProcess(executable, ["-js", "-a", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-sd", store.FullName], store.FullName, null);
        var workers = new List<Process>();
        try
        {
            await using var nats = await ConnectAsync(url).ConfigureAwait(false);
            var js = new NatsJSContext(nats);
            foreach (var name in new[] { "BARE", "PIPE" })
            {
                await js.CreateStreamAsync(new StreamConfig(name, [$"{name.ToLowerInvariant()}.>"])
                {
                    Retention = StreamConfigRetention.Workqueue,
                    Storage = StreamConfigStorage.Memory,
                }).ConfigureAwait(false);
            }
            var bareConsumer = await js.CreateOrUpdateConsumerAsync("BARE", new ConsumerConfig("bare")
            {
                AckPolicy = ConsumerConfigAckPolicy.Explicit,
                MaxAckPending = 1000,
                FilterSubject = "bare.>",
            }).ConfigureAwait(false);
            var folder = WriteWorkerFolder(store.FullName, url);
            var sizes = new (string Name, int Bytes, int Count)[] { ("small", SmallSize, smallMessages), ("frame64k", FrameSize, frameMessages) };
            var rows = new JsonArray();
            var curves = sizes.ToDictionary(s => s.Name, _ => (Bare: new JsonObject(), Pipeline: new JsonObject()));
            foreach (var count in WorkerCounts)
            {
                while (workers.Count < count)
                {
                    workers.Add(StartWorker(folder, url));
                }
                await WaitForPullersAsync(js, "PIPE", "streamseq-bench", count, workers).ConfigureAwait(false);
                // Warm-up: JIT and connections of the new workers, not timed.
                await RoundAsync(nats, js, "PIPE", "pipe.w", 200, SmallSize).ConfigureAwait(false);
                foreach (var (name, bytes, messages) in sizes)
                {
                    var bare = new List<double>();
                    var pipeline = new List<double>();
                    for (var trial = 0; trial < trials; trial++)
                    {
                        // Interleaved, so a noisy neighbour hits both alike.
                        bare.Add(await BareRoundAsync(url, nats, js, bareConsumer, count, messages, bytes).ConfigureAwait(false));
                        pipeline.Add(await RoundAsync(nats, js, "PIPE", "pipe.w", messages, bytes).ConfigureAwait(false));
                    }
                    var bareRate = Statistics.Median(bare);
                    var pipeRate = Statistics.Median(pipeline);
                    progress.WriteLine($"bench nats: {name,-8} {count} worker(s): pipeline {pipeRate,9:0} msg/s, bare loop {bareRate,9:0} msg/s, ratio {pipeRate / bareRate:0.00}");
                    rows.Add(new JsonObject
                    {
                        ["payload"] = name,
                        ["bytes"] = bytes,
                        ["messages"] = messages,
                        ["workers"] = count,
                        ["pipeline_msgs_per_s"] = Math.Round(pipeRate),
                        ["bare_msgs_per_s"] = Math.Round(bareRate),
                        ["ratio"] = Math.Round(pipeRate / bareRate, 3),
                        ["pipeline_per_worker_msgs_per_s"] = Math.Round(pipeRate / count),
                        ["pipeline_trials"] = new JsonArray(pipeline.Select(r => (JsonNode)Math.Round(r)).ToArray()),
                        ["bare_trials"] = new JsonArray(bare.Select(r => (JsonNode)Math.Round(r)).ToArray()),
                    });
                    curves[name].Bare[count.ToString(CultureInfo.InvariantCulture)] = Math.Round(bareRate);
                    curves[name].Pipeline[count.ToString(CultureInfo.InvariantCulture)] = Math.Round(pipeRate);
                }
            }
            var scaling = new JsonObject();
            foreach (var (name, (bareCurve, pipeCurve)) in curves)
            {
                scaling[name] = new JsonObject
                {
                    ["pipeline_msgs_per_s"] = pipeCurve,
                    ["bare_msgs_per_s"] = bareCurve,
                    ["pipeline_speedup_vs_1_worker"] = Speedup(pipeCurve),
                    ["bare_speedup_vs_1_worker"] = Speedup(bareCurve),
                };
            }
            return new JsonObject
            {
                ["benchmark"] = "nats",
                ["server"] = nats.ServerInfo?.Version,
                ["processors"] = Environment.ProcessorCount,
                ["pipeline"] = "nats.source (prefetch " + prefetch + ") -> passthrough -> sink.null, one process per worker",
                ["bare"] = "NATS.Net ConsumeAsync + AckAsync, one connection per consumer, in this process",
                ["timing"] = "publish a batch (core publish into a memory work-queue stream), time until the queue is empty (every message acked); median of " + trials + " interleaved trials",
                ["results"] = rows,
                ["scaling"] = scaling,
            };
        }
        finally
        {
            foreach (var worker in workers)
            {
                StopProcess(worker);
            }
            StopProcess(server);
            try
            {
                store.Delete(recursive: true);
            }
            catch (IOException)
            {
                // The temp cleaner gets it.
            }
        }
    }

    private static JsonObject Speedup(JsonObject curve)
    {
        var one = curve["1"]!.GetValue<double>();
        var result = new JsonObject();
        foreach (var (key, value) in curve)
        {
            result[key] = Math.Round(value!.GetValue<double>() / one, 2);
        }
        return result;
    }

    private static async Task<double> RoundAsync(NatsConnection nats, NatsJSContext js, string stream, string subject, int messages, int bytes)
    {
        var body = new byte[bytes];
        Random.Shared.NextBytes(body);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < messages; i++)
        {
            // Core publish: the stream stores it; no per-message round trip in the timed window.
            await nats.PublishAsync(subject, body).ConfigureAwait(false);
        }
        await nats.PingAsync().ConfigureAwait(false);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var info = await js.GetStreamAsync(stream).ConfigureAwait(false);
            if (info.Info.State.Messages == 0 && clock.Elapsed > TimeSpan.Zero)
            {
                break;
            }
            if (deadline.Elapsed > RoundTimeout)
            {
                throw new TimeoutException($"{stream}: {info.Info.State.Messages} messages still unacked after {RoundTimeout.TotalSeconds:0} s");
            }
            await Task.Delay(5).ConfigureAwait(false);
        }
        return messages / clock.Elapsed.TotalSeconds;
    }

    private async Task<double> BareRoundAsync(string url, NatsConnection nats, NatsJSContext js, INatsJSConsumer consumer, int consumers, int messages, int bytes)
    {
        using var stop = new CancellationTokenSource();
        var loops = new List<Task>();
        var connections = new List<NatsConnection>();
        for (var i = 0; i < consumers; i++)
        {
            var connection = await ConnectAsync(url).ConfigureAwait(false);
            connections.Add(connection);
            var own = await new NatsJSContext(connection).GetConsumerAsync("BARE", "bare").ConfigureAwait(false);
            loops.Add(Task.Run(async () =>
            {
                try
                {
                    await foreach (var msg in own.ConsumeAsync<byte[]>(opts: new NatsJSConsumeOpts { MaxMsgs = prefetch }, cancellationToken: stop.Token).ConfigureAwait(false))
                    {
                        await msg.AckAsync(cancellationToken: stop.Token).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException)
                {
                }
            }));
        }
        try
        {
            await WaitForPullersAsync(js, "BARE", "bare", consumers, []).ConfigureAwait(false);
            return await RoundAsync(nats, js, "BARE", "bare.w", messages, bytes).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(loops).ConfigureAwait(false);
            foreach (var connection in connections)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            _ = consumer;
        }
    }

    private static async Task WaitForPullersAsync(NatsJSContext js, string stream, string consumer, int count, List<Process> workers)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var info = await js.GetConsumerAsync(stream, consumer).ConfigureAwait(false);
                if (info.Info.NumWaiting >= count)
                {
                    return;
                }
            }
            catch (NatsJSApiException)
            {
                // Not created yet: the first worker creates it.
            }
            if (workers.FirstOrDefault(w => w.HasExited) is { } dead)
            {
                throw new InvalidOperationException($"a worker exited with code {dead.ExitCode}: {await dead.StandardError.ReadToEndAsync().ConfigureAwait(false)}");
            }
            if (clock.Elapsed > RoundTimeout)
            {
                throw new TimeoutException($"{count} consumers of {stream} did not start pulling within {RoundTimeout.TotalSeconds:0} s");
            }
            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    private string WriteWorkerFolder(string store, string url)
    {
        var folder = Path.Combine(store, "worker");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "bench.json"), $$"""
            {
              "name": "bench-nats",
              "defaults": { "capacity": 64, "full": "wait" },
              "stages": [
                { "id": "in", "type": "nats.source", "options": { "stream": "PIPE", "subject": "pipe.>", "consumer": "streamseq-bench", "prefetch": {{prefetch}}, "storage": "memory", "deadLetterStream": "none" } },
                { "id": "pass", "type": "passthrough", "input": "in" },
                { "id": "out", "type": "sink.null", "input": "pass" }
              ]
            }
            """);
        File.WriteAllText(Path.Combine(folder, "appsettings.json"), $$"""{ "Nats": { "Connections": { "default": { "Url": "{{url}}" } } } }""");
        return folder;
    }

    private static Process StartWorker(string folder, string url)
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var dll = typeof(NatsBenchmark).Assembly.Location;
        List<string> arguments = Path.GetFileNameWithoutExtension(host) == "dotnet" ? [dll] : [];
        arguments.AddRange(["run", "bench.json", "--no-plugins"]);
        return StartProcess(host, arguments, folder, new Dictionary<string, string> { ["STREAMSEQ_Nats__Connections__default__Url"] = url });
    }

    private static Process StartProcess(string fileName, IEnumerable<string> arguments, string directory, Dictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = directory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? [])
        {
            info.Environment[key] = value;
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {fileName}");
        process.StandardInput.Close();
        // Drained so a chatty child never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }

    private static void StopProcess(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        process.Dispose();
    }

    private static async Task<NatsConnection> ConnectAsync(string url)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var connection = new NatsConnection(NatsOpts.Default with { Url = url });
            try
            {
                await connection.ConnectAsync().ConfigureAwait(false);
                return connection;
            }
            catch (NatsException) when (clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                await Task.Delay(50).ConfigureAwait(false);
            }
        }
    }

    private static string FindServer()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin"))
        {
            var candidate = Path.Combine(directory, "nats-server");
            if (directory.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("nats-server is not installed (bash scripts/setup.sh installs it)");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

}
