using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamSeq.Cli.Commands;
using StreamSeq.Lattice;

namespace StreamSeq.Cli.Bench;

/// <summary>
/// Lattice scoring speed: forward (with and without arc posteriors) and Viterbi (with and without its gradient)
/// on a T×V emission lattice and on the composed CTC alignment lattice emissions ∩ ctc(target) (≥ 100k arcs
/// at the defaults), each next to a naive dense implementation in the same process, plus composition itself on
/// arc-sorted versus unsorted inputs. Each measurement is the median of several timed calls after a warm-up;
/// library and naive results are compared and their largest differences reported.
/// </summary>
internal sealed class LatticeBenchmark
{
    private readonly int _frames;
    private readonly int _labels;
    private readonly int _targetLength;
    private readonly int _trials;
    private readonly TextWriter _progress;
    private double _sink;

    public LatticeBenchmark(int frames, int labels, int targetLength, int trials, TextWriter progress)
    {
        _frames = frames;
        _labels = labels;
        _targetLength = targetLength;
        _trials = trials;
        _progress = progress;
    }

    /// <summary><c>streamseq bench lattice</c>.</summary>
    public static Command Command()
    {
        var frames = new Option<int>("--frames") { Description = "Frames T of the emission matrix", DefaultValueFactory = _ => 1000 };
        var labels = new Option<int>("--labels") { Description = "Labels V of the emission matrix (blank included)", DefaultValueFactory = _ => 30 };
        var targetLength = new Option<int>("--target-length") { Description = "Labels in the CTC target of the composed lattice", DefaultValueFactory = _ => 22 };
        var trials = new Option<int>("--trials") { Description = "Timed calls per measurement (the median is reported)", DefaultValueFactory = _ => 15 };
        var output = new Option<string?>("--output", "-o") { Description = "Also write the JSON report to this file" };
        var command = new Command("lattice", "Forward and Viterbi (with gradients) on an emission lattice and a composed CTC lattice, vs naive dense DP; compose on sorted vs unsorted arcs")
        {
            frames, labels, targetLength, trials, output,
        };
        command.SetAction(async result =>
        {
            var t = result.GetValue(frames);
            var v = result.GetValue(labels);
            var l = result.GetValue(targetLength);
            var n = result.GetValue(trials);
            if (t < 1 || v < 2 || l < 1 || 2 * l + 1 > t || n < 1)
            {
                Console.Error.WriteLine("streamseq bench lattice: --frames >= 1, --labels >= 2, --target-length >= 1 with 2 × target-length + 1 <= frames, --trials >= 1");
                return ExitCodes.Invalid;
            }
            var report = new LatticeBenchmark(t, v, l, n, Console.Error).Run();
            var text = report.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            Console.WriteLine(text);
            if (result.GetValue(output) is { } path)
            {
                await File.WriteAllTextAsync(path, text + Environment.NewLine).ConfigureAwait(false);
            }
            return ExitCodes.Success;
        });
        return command;
    }

    public JsonObject Run()
    {
        var rng = new Random(1234);
        const int blank = 0;
        var scores = new double[_frames * _labels];
        for (var t = 0; t < _frames; t++)
        {
            // Log-softmax rows, as a network would give.
            var max = double.NegativeInfinity;
            for (var v = 0; v < _labels; v++)
            {
                scores[t * _labels + v] = rng.NextDouble() * 8 - 4;
                max = Math.Max(max, scores[t * _labels + v]);
            }
            var sum = 0.0;
            for (var v = 0; v < _labels; v++)
            {
                sum += Math.Exp(scores[t * _labels + v] - max);
            }
            var lse = max + Math.Log(sum);
            for (var v = 0; v < _labels; v++)
            {
                scores[t * _labels + v] -= lse;
            }
        }
        var target = new int[_targetLength];
        for (var i = 0; i < target.Length; i++)
        {
            target[i] = 1 + rng.Next(_labels - 1);
        }

        var emissionReport = EmissionLattice(scores);
        var composedReport = ComposedLattice(scores, target, blank);
        var composeReport = Composition(scores, target, blank);
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";
        var ctc = Ctc.Loss(scores, _frames, _labels, target, blank);
        var ctcMs = Time(() => Ctc.Loss(scores, _frames, _labels, target, blank).Loss);
        _progress.WriteLine($"bench lattice: CTC loss with gradient {ctcMs.Median:F2} ms");
        return new JsonObject
        {
            ["benchmark"] = "lattice",
            ["processors"] = Environment.ProcessorCount,
            ["loadAverageAtStart"] = load,
            ["trials"] = _trials,
            ["emissionLattice"] = emissionReport,
            ["composedLattice"] = composedReport,
            ["compose"] = composeReport,
            ["ctcLoss"] = new JsonObject
            {
                ["description"] = "Ctc.Loss end to end: emission graph, intersect with ctc(target), forward with posteriors, backward to T×V, softmax − posteriors",
                ["loss"] = Math.Round(ctc.Loss, 6),
                ["msPerCall"] = Math.Round(ctcMs.Median, 3),
                ["bestMsPerCall"] = Math.Round(ctcMs.Best, 3),
            },
            ["sink"] = _sink != 0 ? 1 : 0,
        };
    }

    private JsonObject EmissionLattice(double[] scores)
    {
        var graph = Emissions.ToGraph(scores, _frames, _labels);
        var arcs = graph.ArcCount;
        var naiveGradient = new double[scores.Length];

        var forward = Time(() => GraphOps.ForwardScore(graph));
        var forwardGradient = Time(() => GraphOps.Forward(graph).ArcPosteriors![0]);
        var viterbi = Time(() => GraphOps.ViterbiScore(graph));
        var viterbiGradient = Time(() => GraphOps.Viterbi(graph).ArcGradient()[0]);
        var naiveForward = Time(() => NaiveLattice.EmissionForward(scores, _frames, _labels, null));
        var naiveForwardGradient = Time(() => NaiveLattice.EmissionForward(scores, _frames, _labels, naiveGradient));
        var naiveViterbi = Time(() => NaiveLattice.EmissionViterbi(scores, _frames, _labels, null));
        var naiveViterbiGradient = Time(() => NaiveLattice.EmissionViterbi(scores, _frames, _labels, naiveGradient));

        var result = GraphOps.Forward(graph);
        var naiveScore = NaiveLattice.EmissionForward(scores, _frames, _labels, naiveGradient);
        var scoreDifference = Math.Abs(result.Score - naiveScore);
        var gradientDifference = MaxDifference(result.ArcPosteriors!, naiveGradient);
        var viterbiDifference = Math.Abs(GraphOps.ViterbiScore(graph) - NaiveLattice.EmissionViterbi(scores, _frames, _labels, naiveGradient));
        var viterbiGradientDifference = MaxDifference(GraphOps.Viterbi(graph).ArcGradient(), naiveGradient);
        _progress.WriteLine($"bench lattice: emission lattice {_frames}x{_labels}: forward {forward.Median:F3} ms, +gradient {forwardGradient.Median:F3} ms (naive {naiveForward.Median:F3} / {naiveForwardGradient.Median:F3}); viterbi {viterbi.Median:F3} ms (naive {naiveViterbi.Median:F3})");
        return new JsonObject
        {
            ["description"] = $"linear acceptor of a {_frames}×{_labels} log-softmax emission matrix; naive = dense T×V DP with a pairwise log-add",
            ["states"] = graph.StateCount,
            ["arcs"] = arcs,
            ["library"] = Calls(arcs, forward, forwardGradient, viterbi, viterbiGradient),
            ["naiveDense"] = Calls(arcs, naiveForward, naiveForwardGradient, naiveViterbi, naiveViterbiGradient),
            ["speedupOverNaive"] = Speedups(forward, forwardGradient, viterbi, viterbiGradient, naiveForward, naiveForwardGradient, naiveViterbi, naiveViterbiGradient),
            ["agreement"] = new JsonObject
            {
                ["forwardScore"] = scoreDifference,
                ["forwardGradientMax"] = gradientDifference,
                ["viterbiScore"] = viterbiDifference,
                ["viterbiGradientMax"] = viterbiGradientDifference,
            },
        };
    }

    private JsonObject ComposedLattice(double[] scores, int[] target, int blank)
    {
        var emissions = Emissions.ToGraph(scores, _frames, _labels);
        var targetGraph = Ctc.Target(target, blank);
        var lattice = GraphOps.Intersect(emissions, targetGraph);
        var arcs = lattice.ArcCount;
        var (stateLabel, transition) = NaiveLattice.CtcTrellis(target, blank);
        var naiveGradient = new double[scores.Length];

        // "With gradient" includes carrying the arc gradient back to the T×V emission matrix.
        var forward = Time(() => GraphOps.ForwardScore(lattice));
        var forwardGradient = Time(() => Gradients.Backward(lattice, GraphOps.Forward(lattice).ArcPosteriors).Of(emissions)[0]);
        var viterbi = Time(() => GraphOps.ViterbiScore(lattice));
        var viterbiGradient = Time(() => Gradients.Backward(lattice, GraphOps.Viterbi(lattice).ArcGradient()).Of(emissions)[0]);
        var naiveForward = Time(() => NaiveLattice.TrellisForward(scores, _frames, _labels, stateLabel, transition, null), Math.Min(_trials, 3));
        var naiveForwardGradient = Time(() => NaiveLattice.TrellisForward(scores, _frames, _labels, stateLabel, transition, naiveGradient), Math.Min(_trials, 3));
        var naiveViterbi = Time(() => NaiveLattice.TrellisViterbi(scores, _frames, _labels, stateLabel, transition, null), Math.Min(_trials, 3));
        var naiveViterbiGradient = Time(() => NaiveLattice.TrellisViterbi(scores, _frames, _labels, stateLabel, transition, naiveGradient), Math.Min(_trials, 3));

        var result = GraphOps.Forward(lattice);
        var emissionGradient = Gradients.Backward(lattice, result.ArcPosteriors).Of(emissions);
        var naiveScore = NaiveLattice.TrellisForward(scores, _frames, _labels, stateLabel, transition, naiveGradient);
        var scoreDifference = Math.Abs(result.Score - naiveScore);
        var gradientDifference = MaxDifference(emissionGradient, naiveGradient);
        var viterbiResult = GraphOps.Viterbi(lattice);
        var naiveViterbiScore = NaiveLattice.TrellisViterbi(scores, _frames, _labels, stateLabel, transition, naiveGradient);
        var viterbiGradientDifference = MaxDifference(Gradients.Backward(lattice, viterbiResult.ArcGradient()).Of(emissions), naiveGradient);
        _progress.WriteLine($"bench lattice: composed lattice ({lattice.StateCount} states, {arcs} arcs): forward {forward.Median:F3} ms, +gradient {forwardGradient.Median:F3} ms (naive {naiveForward.Median:F1} / {naiveForwardGradient.Median:F1}); viterbi {viterbi.Median:F3} ms (naive {naiveViterbi.Median:F1})");
        return new JsonObject
        {
            ["description"] = $"emissions ∩ ctc(target of {target.Length} labels): the CTC alignment lattice; gradients are carried back to the {_frames}×{_labels} emission matrix; naive = dense T×S trellis with an S×S transition matrix (S = {stateLabel.Length}) and a pairwise log-add",
            ["states"] = lattice.StateCount,
            ["arcs"] = arcs,
            ["library"] = Calls(arcs, forward, forwardGradient, viterbi, viterbiGradient),
            ["naiveDense"] = Calls(arcs, naiveForward, naiveForwardGradient, naiveViterbi, naiveViterbiGradient),
            ["speedupOverNaive"] = Speedups(forward, forwardGradient, viterbi, viterbiGradient, naiveForward, naiveForwardGradient, naiveViterbi, naiveViterbiGradient),
            ["agreement"] = new JsonObject
            {
                ["forwardScore"] = scoreDifference,
                ["forwardGradientMax"] = gradientDifference,
                ["viterbiScore"] = Math.Abs(viterbiResult.Score - naiveViterbiScore),
                ["viterbiGradientMax"] = viterbiGradientDifference,
            },
        };
    }

    private JsonObject Composition(double[] scores, int[] target, int blank)
    {
        var sorted = Emissions.ToGraph(scores, _frames, _labels);
        // The same arcs, each frame's added in descending label order: neither side is then arc-sorted.
        var unsorted = new Graph(_frames + 1, _frames * _labels);
        unsorted.AddStates(_frames + 1);
        unsorted.SetStart(0);
        unsorted.SetFinal(_frames);
        for (var t = 0; t < _frames; t++)
        {
            for (var v = _labels - 1; v >= 0; v--)
            {
                unsorted.AddArc(t, t + 1, v, scores[t * _labels + v]);
            }
        }
        var targetGraph = Ctc.Target(target, blank);
        var topology = Ctc.Topology(_labels, blank);
        var unsortedTopology = GraphOps.ArcSort(topology, ProjectSide.Output);
        unsortedTopology.Detach();

        JsonObject Pair(string description, Graph sortedFirst, Graph sortedSecond, Graph unsortedFirst, Graph unsortedSecond, int trials)
        {
            var arcs = GraphOps.Compose(sortedFirst, sortedSecond).ArcCount;
            var sortedMs = Time(() => GraphOps.Compose(sortedFirst, sortedSecond).ArcCount, trials);
            var unsortedMs = Time(() => GraphOps.Compose(unsortedFirst, unsortedSecond).ArcCount, trials);
            var sortedBest = sortedMs.Best;
            var unsortedBest = unsortedMs.Best;
            _progress.WriteLine($"bench lattice: compose {description}: sorted {sortedMs.Median:F2} ms, unsorted {unsortedMs.Median:F2} ms ({arcs} arcs)");
            return new JsonObject
            {
                ["description"] = description,
                ["resultArcs"] = arcs,
                ["sortedMs"] = Math.Round(sortedMs, 3),
                ["unsortedMs"] = Math.Round(unsortedMs, 3),
                ["sortedBestMs"] = Math.Round(sortedBest, 3),
                ["unsortedBestMs"] = Math.Round(unsortedBest, 3),
                ["sortedSpeedup"] = Math.Round(unsortedMs / sortedMs, 2),
                ["sortedSpeedupBest"] = Math.Round(unsortedBest / sortedBest, 2),
                ["sortedArcsPerSecond"] = Math.Round(arcs / (sortedMs / 1000)),
            };
        }

        return new JsonObject
        {
            ["ctcTarget"] = Pair($"emissions ∩ ctc(target): first graph output-sorted (binary search, ≤ 3 arcs per target state) vs neither sorted (scan of {_labels}×3 pairs)", sorted, targetGraph, unsorted, targetGraph, _trials),
            ["ctcTopology"] = Pair($"emissions ∘ ctc topology ({_labels}² arcs): second input-sorted (binary search) vs neither sorted (scan of {_labels}×{_labels} pairs)", sorted, topology, unsorted, unsortedTopology, Math.Min(_trials, 3)),
        };
    }

    private static JsonObject Calls(int arcs, Timing forward, Timing forwardGradient, Timing viterbi, Timing viterbiGradient)
    {
        JsonObject Entry(Timing ms) => new()
        {
            ["msPerCall"] = Math.Round(ms.Median, 4),
            ["bestMsPerCall"] = Math.Round(ms.Best, 4),
            ["arcsPerSecond"] = Math.Round(arcs / (ms.Median / 1000)),
        };
        return new JsonObject
        {
            ["forward"] = Entry(forward),
            ["forwardWithGradient"] = Entry(forwardGradient),
            ["viterbi"] = Entry(viterbi),
            ["viterbiWithGradient"] = Entry(viterbiGradient),
        };
    }

    private static JsonObject Speedups(Timing f, Timing fg, Timing v, Timing vg, Timing nf, Timing nfg, Timing nv, Timing nvg) => new()
    {
        ["forward"] = Math.Round(nf.Median / f.Median, 2),
        ["forwardWithGradient"] = Math.Round(nfg.Median / fg.Median, 2),
        ["viterbi"] = Math.Round(nv.Median / v.Median, 2),
        ["viterbiWithGradient"] = Math.Round(nvg.Median / vg.Median, 2),
    };

    private static double MaxDifference(double[] a, double[] b)
    {
        var max = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }
        return max;
    }

    /// <summary>Median (and best) milliseconds per call over the trials, after a warm-up of 40 calls (at most 1 s of
    /// them) and at least 200 ms, so both sides run fully optimised (tiered JIT promotes a method after 30 calls and
    /// a delay; long loops are replaced on the stack sooner).</summary>
    private Timing Time(Func<double> call, int? trials = null)
    {
        var warm = Stopwatch.StartNew();
        for (var i = 0; (i < 40 && warm.ElapsedMilliseconds < 1000) || warm.ElapsedMilliseconds < 200; i++)
        {
            _sink += call();
        }
        var count = trials ?? _trials;
        var times = new double[count];
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            _sink += call();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        return new Timing(times[count / 2], times[0]);
    }

    /// <summary>Milliseconds per call: the median of the trials and the best one (the machine may be shared, so
    /// the best shows what the code costs when it has a core to itself).</summary>
    private readonly record struct Timing(double Median, double Best)
    {
        public static implicit operator double(Timing timing) => timing.Median;
    }
}
