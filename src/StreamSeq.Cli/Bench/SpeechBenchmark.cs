using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamSeq.Audio.Data;
using StreamSeq.Audio.Wav;
using StreamSeq.Cli.Commands;
using StreamSeq.Learning;
using StreamSeq.Speech;
using StreamSeq.Speech.Decoding;
using StreamSeq.Speech.Model;

namespace StreamSeq.Cli.Bench;

/// <summary>
/// <c>bench.transcript-latency</c>, used only by <c>bench speech</c>: records when each transcript arrived, the
/// stream time its audio ends at, and whether it was partial.
/// </summary>
[Stage("bench.transcript-latency")]
internal sealed class TranscriptLatencySink : SinkStage<Transcript>
{
    public static ConcurrentQueue<(bool Final, DateTime Arrived, double AudioEnd, string Text)> Arrivals { get; } = new();

    public override ValueTask ConsumeAsync(Packet<Transcript> input, CancellationToken cancellationToken)
    {
        Arrivals.Enqueue((input.Payload.Final, DateTime.UtcNow, input.Payload.End, input.Payload.Text));
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// <c>streamseq bench speech</c>: real-time factor of each decoder on held-out audio (median of trials), the
/// latency of partial and final results behind live audio sent in real time over TCP, and memory and tensors
/// over a long looped stream.
/// </summary>
internal static class SpeechBenchmark
{
    public static Command Command()
    {
        var model = new Option<string>("--model") { Description = "Model folder", DefaultValueFactory = _ => SpeechCommands.DefaultModel };
        var data = new Option<string>("--data") { Description = "Generated speech data (its test.tsv is timed; without it, samples/digits-4271.wav)", DefaultValueFactory = _ => SpeechCommands.DefaultData };
        var utterances = new Option<int>("--utterances") { Description = "Held-out utterances timed per trial", DefaultValueFactory = _ => 60 };
        var trials = new Option<int>("--trials") { Description = "Trials (the median is reported)", DefaultValueFactory = _ => 3 };
        var live = new Option<int>("--live-seconds") { Description = "Seconds of live TCP audio for the latency measurement (0 skips it)", DefaultValueFactory = _ => 20 };
        var soak = new Option<int>("--soak-minutes") { Description = "Minutes of looped audio pushed through the live pipeline as fast as it goes, watching memory (0 skips it)", DefaultValueFactory = _ => 10 };
        var threads = new Option<int>("--threads") { Description = "Torch threads", DefaultValueFactory = _ => 1 };
        var command = new Command("speech", "Speech recognition: real-time factor per decoder, partial/final latency behind live audio, memory over a long stream")
        {
            model, data, utterances, trials, live, soak, threads,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (result.GetValue(utterances) < 1 || result.GetValue(trials) < 1 || result.GetValue(live) < 0 || result.GetValue(soak) < 0)
            {
                Console.Error.WriteLine("streamseq bench speech: --utterances and --trials >= 1, --live-seconds and --soak-minutes >= 0");
                return ExitCodes.Invalid;
            }
            TorchRuntime.Configure(1, result.GetValue(threads));
            var modelPath = Path.GetFullPath(result.GetValue(model)!);
            var report = new JsonObject { ["model"] = result.GetValue(model), ["processors"] = Environment.ProcessorCount, ["torchThreads"] = result.GetValue(threads) };
            var sample = Path.Combine(AppContext.BaseDirectory, "samples", "digits-4271.wav") is var bundled && File.Exists(bundled) ? bundled : Path.GetFullPath("samples/digits-4271.wav");
            var manifest = Path.Combine(result.GetValue(data)!, "test.tsv");
            var files = File.Exists(manifest)
                ? SpeechDataGenerator.ReadManifest(manifest).Take(result.GetValue(utterances)).Select(e => e.Audio).ToList()
                : [sample];
            report["realTimeFactor"] = await RealTimeFactors(modelPath, files, result.GetValue(trials), cancellationToken).ConfigureAwait(false);
            if (result.GetValue(live) > 0)
            {
                report["liveLatencyMs"] = await LiveLatency(modelPath, sample, result.GetValue(live), realtime: true, cancellationToken).ConfigureAwait(false);
            }
            if (result.GetValue(soak) > 0)
            {
                var start = MemorySnapshot.Take();
                var tensors = TensorLedger.Live;
                var clock = Stopwatch.StartNew();
                var soakReport = await LiveLatency(modelPath, sample, result.GetValue(soak) * 60, realtime: false, cancellationToken).ConfigureAwait(false);
                // Latency means nothing when the audio comes faster than real time.
                soakReport.Remove("partialMedianMs");
                soakReport.Remove("partialP95Ms");
                soakReport.Remove("finalMedianMs");
                soakReport["audioMinutes"] = result.GetValue(soak);
                soakReport["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1);
                soakReport["tensorsHeldAfter"] = TensorLedger.Live - tensors;
                report["soak"] = MemorySnapshot.Describe(start, MemorySnapshot.Take(), soakReport);
            }
            Console.WriteLine(report.ToJsonString(SpeechCommands.Indented));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Compute time over audio duration (features, encoder, decoder), per decoder, median of trials.</summary>
    private static async Task<JsonObject> RealTimeFactors(string modelPath, IReadOnlyList<string> files, int trials, CancellationToken cancellationToken)
    {
        using var model = SpeechModel.Load(modelPath);
        var audio = new List<float[]>();
        foreach (var file in files)
        {
            audio.Add(await SpeechAudio.LoadAsync(file, SpeechModel.SampleRate, cancellationToken).ConfigureAwait(false));
        }
        var seconds = audio.Sum(a => (double)a.Length) / SpeechModel.SampleRate;
        var report = new JsonObject { ["utterances"] = audio.Count, ["audioSeconds"] = Math.Round(seconds, 1) };
        var decodings = new List<SpeechDecoding> { new(SpeechDecoder.CtcGreedy), new(SpeechDecoder.CtcBeam, LmWeight: model.Lm is null ? 0 : 0.5) };
        if (model.Grammar is not null)
        {
            decodings.Add(new(SpeechDecoder.CtcGrammar));
        }
        decodings.Add(new(SpeechDecoder.AttentionBeam));
        decodings.Add(new(SpeechDecoder.JointBeam));
        foreach (var decoding in decodings)
        {
            var times = new List<double>();
            for (var trial = 0; trial < trials; trial++)
            {
                var clock = Stopwatch.StartNew();
                foreach (var samples in audio)
                {
                    // One utterance at a time, as a live stream delivers them.
                    model.Transcribe([SpeechModel.Featurize(samples)], decoding);
                }
                times.Add(clock.Elapsed.TotalSeconds / seconds);
            }
            times.Sort();
            report[decoding.Name(model.Lm is not null)] = Math.Round(times[times.Count / 2], 4);
            Console.Error.WriteLine($"bench speech: {decoding.Name(model.Lm is not null)} real-time factor {times[times.Count / 2]:0.0000}");
        }
        return report;
    }

    /// <summary>
    /// Sends the sample, with pauses, as 16-bit PCM over TCP for <paramref name="seconds"/> (in real time, or as fast
    /// as the pipeline reads), through audio.source → audio.vad → speech.transcribe, and reports how far behind
    /// the end of their audio partial and final transcripts arrived.
    /// </summary>
    private static async Task<JsonObject> LiveLatency(string modelPath, string sample, int seconds, bool realtime, CancellationToken cancellationToken)
    {
        var speech = WavReader.ReadFile(sample).ToMono().Resample(16000).Samples;
        var pause = new float[16000 * 3 / 4];
        var noise = new Random(5);
        for (var i = 0; i < pause.Length; i++)
        {
            pause[i] = (float)(0.001 * ((noise.NextDouble() * 2) - 1));
        }
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var sent = 0L;
        // The wall-clock time sample 0 was "captured": a transcript's lag is measured from the sender's clock,
        // not from the time stamps the source derives.
        var captureStart = DateTime.UtcNow;
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
            await using var stream = client.GetStream();
            captureStart = DateTime.UtcNow;
            var clock = Stopwatch.StartNew();
            var packet = new byte[640];
            var total = (long)seconds * 16000;
            var cycle = speech.Length + pause.Length;
            for (var at = 0L; at < total; at += 320)
            {
                for (var k = 0; k < 320; k++)
                {
                    var i = (int)((at + k) % cycle);
                    var value = i < pause.Length ? pause[i] : speech[i - pause.Length];
                    BitConverter.TryWriteBytes(packet.AsSpan(2 * k), (short)Math.Clamp(value * 32767, -32768, 32767));
                }
                // Like a microphone, a packet leaves once its last sample has been captured.
                if (realtime && clock.Elapsed.TotalSeconds < (at + 320) / 16000.0)
                {
                    await Task.Delay(TimeSpan.FromSeconds(((at + 320) / 16000.0) - clock.Elapsed.TotalSeconds), cancellationToken).ConfigureAwait(false);
                }
                await stream.WriteAsync(packet, cancellationToken).ConfigureAwait(false);
                sent = at + 320;
            }
        }, cancellationToken);
        var registry = BuiltInStages.CreateRegistry();
        registry.AddAssembly(typeof(TranscriptLatencySink).Assembly, "bench");
        var json = $$"""
            { "name": "bench-speech-live", "stages": [
              { "id": "mic", "type": "audio.source", "options": { "uri": "tcp://127.0.0.1:{{port}}", "reconnect": false, "chunk": "20ms" } },
              { "id": "vad", "type": "audio.vad", "input": "mic", "options": { "partialInterval": "200ms" } },
              { "id": "asr", "type": "speech.transcribe", "input": "vad", "options": { "model": {{JsonSerializer.Serialize(modelPath)}} } },
              { "id": "lag", "type": "bench.transcript-latency", "input": "asr" } ] }
            """;
        var diagnostics = new List<StreamSeq.Pipelines.PipelineDiagnostic>();
        var plan = StreamSeq.Pipelines.PipelineLoader.TryLoad(System.Text.Encoding.UTF8.GetBytes(json), "bench-speech-live.json", registry, diagnostics)
            ?? throw new InvalidOperationException(string.Join(Environment.NewLine, diagnostics));
        TranscriptLatencySink.Arrivals.Clear();
        var run = await StreamSeq.Runtime.PipelineRun.Start(plan).Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        await server.ConfigureAwait(false);
        if (!run.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", run.Failures));
        }
        double Lag((bool Final, DateTime Arrived, double AudioEnd, string Text) a) => (a.Arrived - captureStart).TotalMilliseconds - (a.AudioEnd * 1000);
        var partials = TranscriptLatencySink.Arrivals.Where(l => !l.Final).Select(Lag).Order().ToList();
        var finals = TranscriptLatencySink.Arrivals.Where(l => l.Final).ToList();
        var finalLags = finals.Select(Lag).Order().ToList();
        var report = new JsonObject
        {
            ["audioSeconds"] = Math.Round(sent / 16000.0, 1),
            ["pace"] = realtime ? "realtime" : "asfast",
            ["partials"] = partials.Count,
            ["finals"] = finals.Count,
            ["finalsRight"] = finals.Count(f => f.Text == "four two seven one"),
            ["partialMedianMs"] = partials.Count == 0 ? null : Math.Round(partials[partials.Count / 2], 1),
            ["partialP95Ms"] = partials.Count == 0 ? null : Math.Round(partials[(int)(partials.Count * 0.95)], 1),
            ["finalMedianMs"] = finalLags.Count == 0 ? null : Math.Round(finalLags[finalLags.Count / 2], 1),
        };
        Console.Error.WriteLine($"bench speech: live ({(realtime ? "realtime" : "asfast")}): {report.ToJsonString()}");
        return report;
    }
}
