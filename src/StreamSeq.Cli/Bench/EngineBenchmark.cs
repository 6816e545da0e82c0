using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using System.Threading.Tasks.Dataflow;
using StreamSeq.Pipelines;
using StreamSeq.Registry;
using StreamSeq.Runtime;

namespace StreamSeq.Cli.Bench;

/// <summary>
/// Packets per second through a 4-stage pass-through chain (source → pass → pass → sink) of small payloads,
/// measured three ways in one process with the same bounds: the StreamSeq engine (a real pipeline file),
/// hand-written bounded <see cref="Channel{T}"/> loops, and TPL Dataflow blocks. Trials are interleaved and
/// the median kept, so machine noise hits all three alike.
/// </summary>
internal sealed class EngineBenchmark
{
    private readonly long _packets;
    private readonly int _capacity;
    private readonly int _trials;
    private readonly TextWriter _progress;

    private readonly long _soakPackets;

    public EngineBenchmark(long packets, int capacity, int trials, TextWriter progress, long soakPackets = 0)
    {
        _packets = packets;
        _capacity = capacity;
        _trials = trials;
        _progress = progress;
        _soakPackets = soakPackets;
    }

    public async Task<JsonObject> RunAsync()
    {
        var plan = LoadPlan();
        // Warm-up: JIT and tiering (with on-stack replacement of the hot loops) for all three, twice.
        var warm = new EngineBenchmark(Math.Min(_packets, 1_000_000), _capacity, 1, TextWriter.Null);
        for (var round = 0; round < 2; round++)
        {
            await warm.RunEngineAsync(warm.LoadPlan()).ConfigureAwait(false);
            await warm.RunChannelsAsync().ConfigureAwait(false);
            await warm.RunDataflowAsync().ConfigureAwait(false);
        }

        var engine = new List<double>();
        var channels = new List<double>();
        var dataflow = new List<double>();
        var memoryStart = MemorySnapshot.Take();
        long engineAllocated = 0;

        for (var trial = 1; trial <= _trials; trial++)
        {
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            engine.Add(await RunEngineAsync(plan).ConfigureAwait(false));
            engineAllocated += GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            channels.Add(await RunChannelsAsync().ConfigureAwait(false));
            dataflow.Add(await RunDataflowAsync().ConfigureAwait(false));
            _progress.WriteLine($"bench engine: trial {trial}/{_trials}: engine {engine[^1]:N0}/s, channels {channels[^1]:N0}/s, dataflow {dataflow[^1]:N0}/s");
        }

        var memoryEnd = MemorySnapshot.Take();
        var soak = _soakPackets > 0 ? await SoakAsync().ConfigureAwait(false) : null;
        var medianEngine = Statistics.Median(engine);
        var medianChannels = Statistics.Median(channels);
        var medianDataflow = Statistics.Median(dataflow);
        return new JsonObject
        {
            ["benchmark"] = "engine",
            ["pipeline"] = "source.generator -> passthrough -> passthrough -> sink.null (4 stages, double payloads)",
            ["packetsPerTrial"] = _packets,
            ["capacity"] = _capacity,
            ["trials"] = _trials,
            ["processors"] = Environment.ProcessorCount,
            ["packetsPerSecond"] = new JsonObject
            {
                ["engine"] = Math.Round(medianEngine),
                ["rawChannels"] = Math.Round(medianChannels),
                ["dataflow"] = Math.Round(medianDataflow),
            },
            ["ratios"] = new JsonObject
            {
                ["engineVsRawChannels"] = Math.Round(medianEngine / medianChannels, 3),
                ["engineVsDataflow"] = Math.Round(medianEngine / medianDataflow, 3),
                ["rawChannelsVsDataflow"] = Math.Round(medianChannels / medianDataflow, 3),
            },
            // The three runs of a trial are seconds apart and share the machine's mood, so the median of the
            // per-trial ratios is steadier than the ratio of medians on a noisy, shared machine.
            ["pairedRatios"] = new JsonObject
            {
                ["engineVsRawChannels"] = Math.Round(Statistics.Median(engine.Zip(channels, (e, c) => e / c).ToList()), 3),
                ["engineVsDataflow"] = Math.Round(Statistics.Median(engine.Zip(dataflow, (e, d) => e / d).ToList()), 3),
                ["rawChannelsVsDataflow"] = Math.Round(Statistics.Median(channels.Zip(dataflow, (c, d) => c / d).ToList()), 3),
            },
            ["targets"] = new JsonObject
            {
                ["engineVsRawChannels"] = ">= 0.8",
                ["engineVsDataflow"] = ">= 1.2",
                ["met"] = Statistics.Median(engine.Zip(channels, (e, c) => e / c).ToList()) >= 0.8 && Statistics.Median(engine.Zip(dataflow, (e, d) => e / d).ToList()) >= 1.2,
            },
            ["trialsPerSecond"] = new JsonObject
            {
                ["engine"] = new JsonArray(engine.Select(v => (JsonNode)Math.Round(v)).ToArray()),
                ["rawChannels"] = new JsonArray(channels.Select(v => (JsonNode)Math.Round(v)).ToArray()),
                ["dataflow"] = new JsonArray(dataflow.Select(v => (JsonNode)Math.Round(v)).ToArray()),
            },
            ["soak"] = soak,
            ["memory"] = MemorySnapshot.Describe(memoryStart, memoryEnd, new JsonObject
            {
                ["enginePacketsTotal"] = _packets * _trials,
                ["engineAllocatedBytesPerPacket"] = Math.Round(engineAllocated / (double)(_packets * _trials), 2),
            }),
        };
    }

    /// <summary>
    /// One long engine run, sampling the managed heap and working set as it goes: memory that grows with the
    /// packet count (a leak, an unbounded queue) shows as a rising trend, not just a larger end value.
    /// </summary>
    private async Task<JsonObject> SoakAsync()
    {
        var soak = new EngineBenchmark(_soakPackets, _capacity, 1, TextWriter.Null);
        var plan = soak.LoadPlan();
        var start = MemorySnapshot.Take();
        using var process = Process.GetCurrentProcess();
        var samples = new List<(double Seconds, long Heap, long WorkingSet)>();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var run = PipelineRun.Start(plan);
        while (!run.Completion.IsCompleted)
        {
            await Task.WhenAny(run.Completion, Task.Delay(250)).ConfigureAwait(false);
            process.Refresh();
            samples.Add((clock.Elapsed.TotalSeconds, GC.GetTotalMemory(forceFullCollection: false), process.WorkingSet64));
            _progress.Write($"\rbench engine: soak {run.Stages[^1].Out * 100 / _soakPackets,3}% of {_soakPackets:N0} packets");
        }
        _progress.WriteLine();
        var result = await run.Completion.ConfigureAwait(false);
        var elapsed = clock.Elapsed;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        if (!result.Succeeded || result.Stages[^1].Out != _soakPackets)
        {
            throw new InvalidOperationException($"soak run delivered {result.Stages[^1].Out} of {_soakPackets}");
        }
        var end = MemorySnapshot.Take();
        return MemorySnapshot.Describe(start, end, new JsonObject
        {
            ["packets"] = _soakPackets,
            ["seconds"] = Math.Round(elapsed.TotalSeconds, 2),
            ["packetsPerSecond"] = Math.Round(_soakPackets / elapsed.TotalSeconds),
            ["allocatedBytesPerPacket"] = Math.Round(allocated / (double)_soakPackets, 2),
            ["workingSetPeakMiB"] = MemorySnapshot.MiB(samples.Max(s => s.WorkingSet), 1),
            // Includes garbage not yet collected: what the heap grew to between collections.
            ["managedHeapPeakMiB"] = MemorySnapshot.MiB(samples.Max(s => s.Heap), 2),
            ["samples"] = samples.Count,
        });
    }

    private PipelinePlan LoadPlan()
    {
        var json = $$"""
        {
          "name": "bench-engine",
          "defaults": { "capacity": {{_capacity}}, "full": "wait" },
          "stages": [
            { "id": "source", "type": "source.generator", "options": { "count": {{_packets}} } },
            { "id": "pass1", "type": "passthrough", "input": "source" },
            { "id": "pass2", "type": "passthrough", "input": "pass1" },
            { "id": "sink", "type": "sink.null", "input": "pass2" }
          ]
        }
        """;
        var diagnostics = new List<PipelineDiagnostic>();
        return PipelineLoader.TryLoad(Encoding.UTF8.GetBytes(json), "bench:engine", StageRegistry.CreateDefault(), diagnostics)
            ?? throw new InvalidOperationException(string.Join(Environment.NewLine, diagnostics));
    }

    private async Task<double> RunEngineAsync(PipelinePlan plan)
    {
        var clock = Stopwatch.StartNew();
        var result = await PipelineRun.Start(plan).Completion.ConfigureAwait(false);
        clock.Stop();
        var delivered = result.Stages[^1].Out;
        if (!result.Succeeded || delivered != _packets)
        {
            throw new InvalidOperationException($"engine run delivered {delivered} of {_packets} packets: {string.Join("; ", result.Failures)}");
        }
        return _packets / clock.Elapsed.TotalSeconds;
    }

    private async Task<double> RunChannelsAsync()
    {
        Channel<double> Create() => Channel.CreateBounded<double>(new BoundedChannelOptions(_capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });
        var first = Create();
        var second = Create();
        var third = Create();
        long received = 0;
        var clock = Stopwatch.StartNew();
        var tasks = new[]
        {
            Task.Run(async () =>
            {
                var writer = first.Writer;
                for (long i = 0; i < _packets; i++)
                {
                    if (!writer.TryWrite(i))
                    {
                        await writer.WriteAsync(i).ConfigureAwait(false);
                    }
                }
                writer.Complete();
            }),
            Task.Run(() => PassAsync(first.Reader, second.Writer)),
            Task.Run(() => PassAsync(second.Reader, third.Writer)),
            Task.Run(async () =>
            {
                var reader = third.Reader;
                while (await reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    while (reader.TryRead(out _))
                    {
                        received++;
                    }
                }
            }),
        };
        await Task.WhenAll(tasks).ConfigureAwait(false);
        clock.Stop();
        if (received != _packets)
        {
            throw new InvalidOperationException($"channel chain delivered {received} of {_packets}");
        }
        return _packets / clock.Elapsed.TotalSeconds;

        static async Task PassAsync(ChannelReader<double> reader, ChannelWriter<double> writer)
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var value))
                {
                    if (!writer.TryWrite(value))
                    {
                        await writer.WriteAsync(value).ConfigureAwait(false);
                    }
                }
            }
            writer.Complete();
        }
    }

    private async Task<double> RunDataflowAsync()
    {
        var options = new ExecutionDataflowBlockOptions { BoundedCapacity = _capacity, SingleProducerConstrained = true };
        var link = new DataflowLinkOptions { PropagateCompletion = true };
        long received = 0;
        var pass1 = new TransformBlock<double, double>(x => x, options);
        var pass2 = new TransformBlock<double, double>(x => x, options);
        var sink = new ActionBlock<double>(_ => received++, options);
        pass1.LinkTo(pass2, link);
        pass2.LinkTo(sink, link);
        var clock = Stopwatch.StartNew();
        await Task.Run(async () =>
        {
            for (long i = 0; i < _packets; i++)
            {
                if (!pass1.Post(i))
                {
                    await pass1.SendAsync(i).ConfigureAwait(false);
                }
            }
            pass1.Complete();
        }).ConfigureAwait(false);
        await sink.Completion.ConfigureAwait(false);
        clock.Stop();
        if (received != _packets)
        {
            throw new InvalidOperationException($"dataflow chain delivered {received} of {_packets}");
        }
        return _packets / clock.Elapsed.TotalSeconds;
    }

}
