using System.Globalization;
using System.Text;
using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using StreamSeq.Cli.Tests.Support;

namespace StreamSeq.Nats.Tests.Support;

/// <summary>One result read back from the results stream.</summary>
internal sealed record Result(string? MsgId, string Origin, string Worker, ulong Delivery);

/// <summary>
/// The test's side of a work-queue set-up: a server, a client, a working folder with the pipeline and the
/// settings the daemons read, and helpers to publish work and read results back.
/// </summary>
internal sealed class WorkBench : IAsyncDisposable
{
    public const string WorkStream = "WORK";
    public const string ResultsStream = "RESULTS";
    public const string Consumer = "workers";
    public const string DeadStream = "WORK_DEAD";

    private readonly List<ChildProcess> _daemons = [];

    private WorkBench(NatsServer server, NatsConnection client)
    {
        Server = server;
        Client = client;
        Js = new NatsJSContext(client);
    }

    public NatsServer Server { get; }

    public NatsConnection Client { get; }

    public NatsJSContext Js { get; }

    public TempDirectory Folder { get; } = new("nats-work");

    public IReadOnlyList<ChildProcess> Daemons => _daemons;

    public static async Task<WorkBench> StartAsync()
    {
        var server = await NatsServer.StartAsync();
        var client = new NatsConnection(NatsOpts.Default with { Url = server.Url, MaxReconnectRetry = -1, ReconnectWaitMin = TimeSpan.FromMilliseconds(100), ReconnectWaitMax = TimeSpan.FromMilliseconds(500) });
        await client.ConnectAsync();
        var bench = new WorkBench(server, client);
        // Created here, as the source would, so work can be published before any daemon runs.
        await bench.Js.CreateStreamAsync(new StreamConfig(WorkStream, ["work.>"]) { Retention = StreamConfigRetention.Workqueue, Storage = StreamConfigStorage.File });
        return bench;
    }

    /// <summary>The pipeline every daemon runs: nats.source → nats.fault (skip) → nats.sink.</summary>
    public static string Pipeline(string delay = "0s", int maxDeliver = 5, string ackWait = "3s") => $$"""
        {
          "name": "work",
          "defaults": { "capacity": 16, "full": "wait" },
          "stages": [
            { "id": "in", "type": "nats.source",
              "options": { "stream": "{{WorkStream}}", "subject": "work.>", "consumer": "{{Consumer}}", "ackWait": "{{ackWait}}",
                           "maxDeliver": {{maxDeliver}}, "backoff": ["100ms", "200ms"], "prefetch": 4, "settleTimeout": "2s" } },
            { "id": "model", "type": "nats.fault", "input": "in", "onError": "skip", "options": { "delay": "{{delay}}" } },
            { "id": "out", "type": "nats.sink", "input": "model", "options": { "subject": "results.work", "stream": "{{ResultsStream}}" } }
          ]
        }
        """;

    /// <summary>Writes the daemons' settings (pipeline, connection) into the working folder.</summary>
    public void Configure(string pipeline, string? url = null, string? extraConnection = null)
    {
        Folder.Write("work.json", pipeline);
        Folder.Write("appsettings.json", $$"""
            {
              "StreamSeq": { "Pipelines": [ "work.json" ], "Plugins": [], "DrainTimeout": "00:00:03", "RestartDelay": "00:00:01" },
              "Nats": { "Connections": { "default": { "Url": "{{url ?? Server.Url}}", "ReconnectDelay": "00:00:00.200", "MaxReconnectDelay": "00:00:01" {{extraConnection}} } } },
              "Logging": { "LogLevel": { "Default": "Information", "Microsoft": "Warning" } }
            }
            """);
    }

    public ChildProcess StartDaemon()
    {
        var daemon = StreamseqCli.StartDaemon(Folder.Path);
        _daemons.Add(daemon);
        return daemon;
    }

    /// <summary>Waits until <paramref name="workers"/> workers are pulling from the shared consumer.</summary>
    public async Task WaitForWorkersAsync(int workers)
    {
        var waiting = 0L;
        await Eventually.TrueAsync(() =>
        {
            try
            {
                var info = Js.GetConsumerAsync(WorkStream, Consumer).AsTask().GetAwaiter().GetResult().Info;
                waiting = info.NumWaiting;
                return waiting >= workers;
            }
            catch (NatsJSApiException)
            {
                return false;
            }
        }, $"{workers} workers pulling from the consumer", () => $"pull requests waiting: {waiting}{Environment.NewLine}{DescribeDaemons()}", TimeSpan.FromSeconds(60));
    }

    /// <summary>Publishes <paramref name="count"/> work messages; those whose index is in <paramref name="poison"/> carry the poison header.</summary>
    public async Task<List<ulong>> PublishWorkAsync(int count, params int[] poison)
    {
        var sequences = new List<ulong>(count);
        for (var i = 0; i < count; i++)
        {
            var headers = new NatsHeaders
            {
                [StreamSeqHeaders.StreamId] = "test",
                [StreamSeqHeaders.Sequence] = i.ToString(CultureInfo.InvariantCulture),
                [StreamSeqHeaders.Time] = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMilliseconds(40 * i).ToString("O", CultureInfo.InvariantCulture),
            };
            if (poison.Contains(i))
            {
                headers["StreamSeq-Poison"] = "yes";
            }
            var ack = await Js.PublishAsync($"work.item{i % 4}", Encoding.UTF8.GetBytes($"item {i}"), headers: headers);
            ack.EnsureSuccess();
            sequences.Add(ack.Seq);
        }
        return sequences;
    }

    public async Task<long> CountAsync(string stream)
    {
        try
        {
            var info = await Js.GetStreamAsync(stream);
            return (long)info.Info.State.Messages;
        }
        catch (NatsJSApiException)
        {
            return 0;
        }
    }

    /// <summary>Polls the number of messages in <paramref name="stream"/> (0 when it does not exist yet).</summary>
    public long Count(string stream) => CountAsync(stream).GetAwaiter().GetResult();

    /// <summary>Every message of a stream, in order, leaving them there (a work queue included: nothing is acked).</summary>
    public async Task<List<INatsJSMsg<byte[]>>> ReadAllAsync(string stream)
    {
        var expected = await CountAsync(stream);
        // Work-queue streams take only explicit-ack consumers; an unacked reader that is deleted afterwards
        // leaves the messages where they are.
        var name = "reader-" + Guid.NewGuid().ToString("N")[..8];
        var consumer = await Js.CreateOrUpdateConsumerAsync(stream, new ConsumerConfig(name) { AckPolicy = ConsumerConfigAckPolicy.Explicit, AckWait = TimeSpan.FromMinutes(5) });
        var messages = new List<INatsJSMsg<byte[]>>();
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (messages.Count < expected && DateTime.UtcNow < deadline)
            {
                await foreach (var msg in consumer.FetchAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = 500, Expires = TimeSpan.FromSeconds(2) }))
                {
                    messages.Add(msg);
                }
            }
        }
        finally
        {
            await Js.DeleteConsumerAsync(stream, name);
        }
        return messages;
    }

    /// <summary>The results stream, parsed.</summary>
    public async Task<List<Result>> ReadResultsAsync()
    {
        var results = new List<Result>();
        foreach (var msg in await ReadAllAsync(ResultsStream))
        {
            using var json = JsonDocument.Parse(msg.Data);
            var root = json.RootElement;
            results.Add(new Result(
                msg.Headers?.TryGetValue("Nats-Msg-Id", out var id) == true ? id.ToString() : null,
                root.GetProperty("origin").GetString()!,
                root.GetProperty("worker").GetString()!,
                root.GetProperty("delivery").GetUInt64()));
        }
        return results;
    }

    public string DescribeDaemons()
        => string.Join(Environment.NewLine, _daemons.Select((d, i) => $"=== daemon {i} (pid {d.Id}) ==={Environment.NewLine}{d.Describe()}"));

    /// <summary>Stops the daemons with SIGTERM (they drain), killing what does not exit.</summary>
    public async Task StopDaemonsAsync()
    {
        foreach (var daemon in _daemons.Where(d => !d.HasExited))
        {
            try
            {
                await daemon.TerminateAsync();
            }
            catch (InvalidOperationException)
            {
                // Exited meanwhile.
            }
        }
        foreach (var daemon in _daemons)
        {
            if (!await daemon.WaitForExitAsync(TimeSpan.FromSeconds(20)))
            {
                daemon.Kill();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var daemon in _daemons)
        {
            await daemon.DisposeAsync();
        }
        await Client.DisposeAsync();
        await Server.DisposeAsync();
        Folder.Dispose();
    }
}
