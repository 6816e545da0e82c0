using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamSeq.Audio;
using StreamSeq.Audio.Dsp;
using StreamSeq.Audio.Features;
using StreamSeq.Audio.Vad;
using StreamSeq.Audio.Wav;
using StreamSeq.Cli.Commands;
using StreamSeq.Text.LanguageModels;

namespace StreamSeq.Cli.Bench;

/// <summary>
/// <c>streamseq bench audio</c>: real-time factors (compute time over audio duration, median of trials) of
/// WAV reading, resampling, log-mel and MFCC features, VAD, and the n-gram LM's scoring rate, as JSON.
/// </summary>
internal static class AudioBenchmark
{
    public static Command CreateCommand()
    {
        var seconds = new Option<int>("--seconds") { Description = "Seconds of synthetic audio per trial", DefaultValueFactory = _ => 60 };
        var trials = new Option<int>("--trials") { Description = "Trials per measurement (the median is reported)", DefaultValueFactory = _ => 5 };
        var command = new Command("audio", "Real-time factors of WAV reading, resampling, features and VAD; LM scoring rate") { seconds, trials };
        command.SetAction(result =>
        {
            var duration = result.GetValue(seconds);
            var repeat = result.GetValue(trials);
            if (duration is < 1 or > 3600 || repeat < 1)
            {
                Console.Error.WriteLine("streamseq bench audio: --seconds 1..3600 and --trials >= 1");
                return ExitCodes.Invalid;
            }
            Console.WriteLine(Run(duration, repeat).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return ExitCodes.Success;
        });
        return command;
    }

    private static JsonObject Run(int seconds, int trials)
    {
        const int rate = 16000;
        var random = new Random(1);
        var signal = new float[seconds * rate];
        for (var i = 0; i < signal.Length; i++)
        {
            // Speech-like bursts (a harmonic tone, on for 1.5 s, off for 1 s) over faint noise.
            var t = (double)i / rate;
            var on = t % 2.5 < 1.5;
            signal[i] = (float)((on ? 0.2 * Math.Sin(2 * Math.PI * 150 * t) * (0.6 + (0.4 * Math.Sin(2 * Math.PI * 4 * t))) : 0) + (0.003 * ((random.NextDouble() * 2) - 1)));
        }
        var at44 = Resampler.ResampleAll(signal, rate, 44100);
        var wavPath = Path.Combine(Path.GetTempPath(), $"streamseq-bench-{Environment.ProcessId}.wav");
        WavWriter.WriteFile(wavPath, new AudioBuffer(at44, 44100), WavSampleFormat.Pcm16);
        var report = new JsonObject { ["audioSeconds"] = seconds, ["trials"] = trials, ["processors"] = Environment.ProcessorCount };
        try
        {
            var rtf = new JsonObject();
            rtf["wavRead44k"] = Measure("wav read (44.1 kHz 16-bit)", seconds, trials, () => WavReader.ReadFile(wavPath));
            rtf["resample44kTo16k"] = Measure("resample 44.1 -> 16 kHz", seconds, trials, () => Resampler.ResampleAll(at44, 44100, rate));
            rtf["logMel80Streaming"] = Measure("log-mel 80 (100 ms chunks)", seconds, trials, () => Stream(new FeatureOptions { MelBins = 80 }, signal));
            rtf["mfcc13Streaming"] = Measure("mfcc 13 (100 ms chunks, streaming cmvn)", seconds, trials, () => Stream(new FeatureOptions { Kind = FeatureKind.Mfcc, Normalization = NormalizationMode.Streaming }, signal));
            rtf["vad"] = Measure("vad (100 ms chunks)", seconds, trials, () =>
            {
                var vad = new EnergyVad(new VadOptions(), rate);
                for (var at = 0; at < signal.Length; at += 1600)
                {
                    vad.Accept(signal.AsSpan(at, Math.Min(1600, signal.Length - at)), at, DateTime.UnixEpoch);
                }
                vad.Complete();
            });
            report["realTimeFactor"] = rtf;
            report["lmScoresPerSecond"] = LmRate(trials);
            report["vadEventLagMs"] = EventLag(signal);
        }
        finally
        {
            File.Delete(wavPath);
        }
        return report;
    }

    /// <summary>
    /// Runs audio.source (realtime pace, 20 ms chunks) → audio.vad (partials every 200 ms) on 6 s of the
    /// signal and reports how far behind the end of their audio the utterance events arrived.
    /// </summary>
    private static JsonObject EventLag(float[] signal)
    {
        var path = Path.Combine(Path.GetTempPath(), $"streamseq-bench-lag-{Environment.ProcessId}.wav");
        WavWriter.WriteFile(path, new AudioBuffer(signal[..Math.Min(signal.Length, 6 * 16000)], 16000));
        try
        {
            var registry = BuiltInStages.CreateRegistry();
            registry.AddAssembly(typeof(PartialLatencySink).Assembly, "bench");
            var json = $$"""
                { "name": "bench-vad-lag", "stages": [
                  { "id": "mic", "type": "audio.source", "options": { "uri": {{JsonSerializer.Serialize(path)}}, "pace": "realtime", "chunk": "20ms" } },
                  { "id": "vad", "type": "audio.vad", "input": "mic", "options": { "partialInterval": "200ms" } },
                  { "id": "lag", "type": "bench.partial-latency", "input": "vad" } ] }
                """;
            var diagnostics = new List<StreamSeq.Pipelines.PipelineDiagnostic>();
            var plan = StreamSeq.Pipelines.PipelineLoader.TryLoad(System.Text.Encoding.UTF8.GetBytes(json), "bench-vad-lag.json", registry, diagnostics)
                ?? throw new InvalidOperationException(string.Join(Environment.NewLine, diagnostics));
            PartialLatencySink.Lags.Clear();
            var result = StreamSeq.Runtime.PipelineRun.Start(plan).Completion.GetAwaiter().GetResult();
            if (!result.Succeeded)
            {
                throw new InvalidOperationException(string.Join("; ", result.Failures));
            }
            var partials = PartialLatencySink.Lags.Where(l => l.Kind == UtteranceEventKind.Partial).Select(l => l.LagMs).Order().ToList();
            var report = new JsonObject
            {
                ["events"] = PartialLatencySink.Lags.Count,
                ["partials"] = partials.Count,
                ["partialMedianMs"] = partials.Count == 0 ? null : Math.Round(partials[partials.Count / 2], 1),
                ["partialMaxMs"] = partials.Count == 0 ? null : Math.Round(partials[^1], 1),
            };
            Console.Error.WriteLine($"bench audio: vad events at realtime pace: {report.ToJsonString()}");
            return report;
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void Stream(FeatureOptions options, float[] signal)
    {
        var extractor = new StreamingFeatureExtractor(options);
        for (var at = 0; at < signal.Length; at += 1600)
        {
            extractor.Accept(signal.AsSpan(at, Math.Min(1600, signal.Length - at)));
        }
    }

    private static double Measure(string what, int seconds, int trials, Action action)
    {
        action(); // warm-up (JIT, tables)
        var times = new List<double>();
        for (var i = 0; i < trials; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times.Add(clock.Elapsed.TotalSeconds);
        }
        times.Sort();
        var factor = times[times.Count / 2] / seconds;
        Console.Error.WriteLine($"bench audio: {what}: real-time factor {factor:F5} ({1 / factor:F0}x real time)");
        return Math.Round(factor, 6);
    }

    private static double LmRate(int trials)
    {
        var random = new Random(2);
        string[] digits = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
        var sentences = Enumerable.Range(0, 2000).Select(_ => (IReadOnlyList<string>)[.. Enumerable.Range(0, random.Next(1, 8)).Select(_ => digits[random.Next(10)])]).ToList();
        var model = KneserNeyTrainer.Train(sentences, 3);
        var ids = Enumerable.Range(0, 1_000_000).Select(_ => model.IdOf(digits[random.Next(10)])).ToArray();
        var rates = new List<double>();
        for (var t = 0; t < trials; t++)
        {
            var clock = Stopwatch.StartNew();
            var state = model.BeginState;
            double sum = 0;
            foreach (var id in ids)
            {
                (var lp, state) = model.Score(state, id);
                sum += lp;
            }
            rates.Add(ids.Length / clock.Elapsed.TotalSeconds);
            GC.KeepAlive(sum);
        }
        rates.Sort();
        var rate = rates[rates.Count / 2];
        Console.Error.WriteLine($"bench audio: trigram LM: {rate / 1e6:F1} M scores/s");
        return Math.Round(rate);
    }
}
