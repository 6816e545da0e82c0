using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using StreamSeq.Cli.Commands;
using StreamSeq.Learning;
using StreamSeq.Ocr.Data;
using StreamSeq.Ocr.Model;

namespace StreamSeq.Cli.Bench;

/// <summary>
/// <c>streamseq bench ocr</c>: where the CRNN's time goes on held-out printed and handwritten lines — image
/// loading and preparation, the network, each decoder — next to Tesseract on the same images (one process,
/// and one process per core), medians of trials.
/// </summary>
internal static class OcrBenchmark
{
    public static Command Command()
    {
        var model = new Option<string>("--model") { Description = "Model folder", DefaultValueFactory = _ => "models/ocr" };
        var data = new Option<string>("--data") { Description = "The generated data set's folder (its test lists are timed)", DefaultValueFactory = _ => "data/ocr" };
        var lines = new Option<int>("--lines") { Description = "Lines of each test list per trial", DefaultValueFactory = _ => 300 };
        var trials = new Option<int>("--trials") { Description = "Trials (the median is reported)", DefaultValueFactory = _ => 3 };
        var lm = new Option<string?>("--lm") { Description = "Also time Viterbi under this ARPA character LM (printed lines)", DefaultValueFactory = _ => "models/ocr-lm/printed.arpa" };
        var lmWeight = new Option<double>("--lm-weight") { Description = "Its weight", DefaultValueFactory = _ => 0.6 };
        var noTesseract = new Option<bool>("--no-tesseract") { Description = "Leave Tesseract out" };
        var command = new Command("ocr", "OCR speed: ms per line for loading, the CRNN and each decoder, lines/s with 1 and 2 threads, next to Tesseract with 1 and 2 processes (JSON)")
        {
            model, data, lines, trials, lm, lmWeight, noTesseract,
        };
        command.SetAction(result =>
        {
            if (result.GetValue(lines) < 1 || result.GetValue(trials) < 1)
            {
                Console.Error.WriteLine("streamseq bench ocr: --lines and --trials are >= 1");
                return ExitCodes.Invalid;
            }
            TorchRuntime.Configure(1, 1);
            using var crnn = CrnnModel.Load(result.GetValue(model)!);
            var report = new JsonObject { ["model"] = result.GetValue(model), ["parameters"] = crnn.ParameterCount, ["processors"] = Environment.ProcessorCount };
            var lmPath = result.GetValue(lm) is { } p && File.Exists(p) ? p : null;
            var useTesseract = !result.GetValue(noTesseract) && Tesseract.Version() is not null;
            foreach (var (name, list) in new[] { ("printed", OcrDataWriter.TestPrintedList), ("handwrittenDigits", OcrDataWriter.TestDigitsList) })
            {
                var path = Path.Combine(result.GetValue(data)!, list);
                var samples = LineList.Read(path, crnn.Alphabet).Take(result.GetValue(lines)).ToList();
                var decodings = new List<(string Name, CtcDecoding Decoding)> { ("greedy", new CtcDecoding(crnn.Alphabet)) };
                if (lmPath is not null && name == "printed")
                {
                    decodings.Add(("viterbi+lm", new CtcDecoding(crnn.Alphabet, CtcDecoder.Viterbi, OcrConstraints.Build(crnn.Alphabet, lm: lmPath, lmWeight: result.GetValue(lmWeight)))));
                }
                Console.Error.WriteLine($"bench ocr: {name}: {samples.Count} lines, {result.GetValue(trials)} trials");
                report[name] = Phases(crnn, samples, decodings, result.GetValue(trials), useTesseract, name == "printed" ? null : "0123456789");
            }
            Console.WriteLine(report.ToJsonString(SpeechCommands.Indented));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Times each phase over <paramref name="samples"/>, and Tesseract (with its whitelist) when <paramref name="tesseract"/>.</summary>
    private static JsonObject Phases(CrnnModel crnn, IReadOnlyList<LineSample> samples, IReadOnlyList<(string Name, CtcDecoding Decoding)> decodings, int trials, bool tesseract, string? whitelist)
    {
        var load = new List<double>();
        var network = new List<double>();
        var decode = decodings.ToDictionary(d => d.Name, _ => new List<double>());
        var endToEnd = new Dictionary<string, List<double>> { ["crnn greedy, 1 thread"] = [], ["crnn greedy, 2 threads"] = [] };
        if (tesseract)
        {
            endToEnd["tesseract, 1 process"] = [];
            endToEnd["tesseract, 2 processes"] = [];
        }
        for (var trial = 0; trial < trials; trial++)
        {
            var clock = Stopwatch.StartNew();
            var prepared = samples.Select(s => crnn.Prepare(s.Image).Image).OfType<LineImage>().OrderBy(l => l.Width).ToList();
            load.Add(clock.Elapsed.TotalMilliseconds / samples.Count);
            clock.Restart();
            var emissions = new List<(float[] LogProbs, int Frames)>();
            for (var start = 0; start < prepared.Count; start += 32)
            {
                emissions.AddRange(crnn.Emissions(prepared.Skip(start).Take(32).ToList()));
            }
            network.Add(clock.Elapsed.TotalMilliseconds / samples.Count);
            foreach (var (name, decoding) in decodings)
            {
                clock.Restart();
                foreach (var (logProbs, frames) in emissions)
                {
                    decoding.Decode(logProbs, frames);
                }
                decode[name].Add(clock.Elapsed.TotalMilliseconds / samples.Count);
            }
            foreach (var threads in new[] { 1, 2 })
            {
                endToEnd[$"crnn greedy, {threads} thread{(threads == 1 ? "" : "s")}"].Add(LinesPerSecond(crnn, samples, decodings[0].Decoding, threads));
            }
            if (tesseract)
            {
                foreach (var processes in new[] { 1, 2 })
                {
                    var key = $"tesseract, {processes} process{(processes == 1 ? "" : "es")}";
                    clock.Restart();
                    Tesseract.Read([.. samples.Select(s => s.Image)], whitelist, Path.Combine(Path.GetTempPath(), "streamseq-ocr"), threads: 1, processes: processes);
                    endToEnd[key].Add(samples.Count / clock.Elapsed.TotalSeconds);
                }
            }
        }
        var msPerLine = new JsonObject { ["loadAndPrepare"] = Median(load), ["network"] = Median(network) };
        foreach (var (name, times) in decode)
        {
            msPerLine["decode " + name] = Median(times);
        }
        var linesPerSecond = new JsonObject();
        foreach (var (name, values) in endToEnd)
        {
            linesPerSecond[name] = Math.Round(Median(values), 1);
        }
        return new JsonObject { ["lines"] = samples.Count, ["msPerLine"] = msPerLine, ["linesPerSecond"] = linesPerSecond };
    }

    /// <summary>Lines/s reading files end to end with <see cref="OcrEvaluator.EvaluateCrnn"/>.</summary>
    private static double LinesPerSecond(CrnnModel crnn, IReadOnlyList<LineSample> samples, CtcDecoding decoding, int threads)
    {
        var clock = Stopwatch.StartNew();
        OcrEvaluator.EvaluateCrnn(crnn, samples, decoding, threads: threads);
        return samples.Count / clock.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values) => Math.Round(Statistics.Median(values), 3);
}
