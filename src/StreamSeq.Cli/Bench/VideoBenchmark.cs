using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenCvSharp;
using StreamSeq.Cli.Commands;
using StreamSeq.Media;
using StreamSeq.Pipelines;
using StreamSeq.Runtime;

namespace StreamSeq.Cli.Bench;

/// <summary>
/// <c>streamseq bench video</c>: frames per second of decode + grayscale + Farneback flow at 320×240, through
/// the engine (flow pairs on <c>--parallelism</c> workers) and through a hand-written sequential OpenCvSharp
/// loop doing the same work, trials interleaved in one run; then the whole action-recognition pipeline on
/// a 30 fps clip, as a multiple of real time.
/// </summary>
internal static class VideoBenchmark
{
    public static Command Command()
    {
        var frames = new Option<int>("--frames") { Description = "Frames of the generated 320×240 clip", DefaultValueFactory = _ => 150 };
        var trials = new Option<int>("--trials") { Description = "Interleaved trials of each way (the median is reported)", DefaultValueFactory = _ => 3 };
        var parallelism = new Option<int>("--parallelism") { Description = "Flow workers in the pipeline", DefaultValueFactory = _ => 2 };
        var model = new Option<string>("--model") { Description = "Action model for the end-to-end run", DefaultValueFactory = _ => "models/actions/motion" };
        var soak = new Option<int>("--soak") { Description = "Instead: run pipelines/action-recognition.json looped for this many seconds and report memory every 10 s", DefaultValueFactory = _ => 0 };
        var output = new Option<string?>("--output", "-o") { Description = "Also write the JSON report to this file" };
        var real = new Option<string>("--real") { Description = "Real video for the live row: resized to 640x480 and played at 30 fps (looped) through pipelines/action-recognition.json with drop-oldest at its head", DefaultValueFactory = _ => RealVideo };
        var realSeconds = new Option<int>("--real-seconds") { Description = "How long the live row runs (0: skip it)", DefaultValueFactory = _ => 30 };
        var command = new Command("video", "Decode + gray + Farneback at 320x240: pipeline (parallel flow) vs a sequential OpenCvSharp loop; end-to-end action pipeline vs real time; a real 640x480 video live at 30 fps through the default pipeline (frames dropped); --soak for memory over a long run")
        {
            frames, trials, parallelism, model, soak, output, real, realSeconds,
        };
        command.SetAction(async result =>
        {
            var count = result.GetValue(frames);
            var repeat = result.GetValue(trials);
            if (count < 10 || repeat < 1 || result.GetValue(parallelism) < 1)
            {
                Console.Error.WriteLine("streamseq bench video: --frames >= 10, --trials >= 1, --parallelism >= 1");
                return ExitCodes.Invalid;
            }
            var report = result.GetValue(soak) > 0
                ? await SoakAsync(TimeSpan.FromSeconds(result.GetValue(soak)), Console.Error).ConfigureAwait(false)
                : await RunAsync(count, repeat, result.GetValue(parallelism), result.GetValue(model)!, Console.Error).ConfigureAwait(false);
            if (result.GetValue(soak) == 0 && result.GetValue(realSeconds) > 0)
            {
                if (File.Exists(result.GetValue(real)))
                {
                    report["liveRealVideo"] = await LiveRealVideoAsync(result.GetValue(real)!, TimeSpan.FromSeconds(result.GetValue(realSeconds)), Console.Error).ConfigureAwait(false);
                }
                else
                {
                    Console.Error.WriteLine($"bench video: no real video at {result.GetValue(real)} (apt-get install opencv-doc, or --real PATH); skipping the live row");
                }
            }
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

    private static async Task<JsonObject> RunAsync(int frames, int trials, int parallelism, string model, TextWriter progress)
    {
        var folder = Path.Combine(Path.GetTempPath(), "streamseq-bench-video-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var clip = Path.Combine(folder, "clip.avi");
            WriteClip(clip, frames, 320, 240, 30);
            var registry = BuiltInStages.CreateRegistry();
            var flowPlan = Plan(registry, $$"""
                { "name": "bench-video", "defaults": { "capacity": 16 }, "stages": [
                  { "id": "src", "type": "video.source", "options": { "uri": "{{clip}}", "grayscale": true } },
                  { "id": "pairs", "type": "video.pairs", "input": "src" },
                  { "id": "flow", "type": "video.opticalflow", "input": "pairs", "parallelism": {{parallelism}} },
                  { "id": "out", "type": "sink.null", "input": "flow" } ] }
                """);
            progress.WriteLine($"bench video: {frames} frames of 320x240, {trials} interleaved trials");
            // Warm-up: native libraries, JIT, OpenCV's buffers.
            await RunPipelineAsync(flowPlan).ConfigureAwait(false);
            Sequential(clip);
            var pipeline = new List<double>();
            var sequential = new List<double>();
            for (var trial = 1; trial <= trials; trial++)
            {
                pipeline.Add(frames / (await RunPipelineAsync(flowPlan).ConfigureAwait(false)).TotalSeconds);
                sequential.Add(frames / Sequential(clip).TotalSeconds);
                progress.WriteLine($"bench video: trial {trial}/{trials}: pipeline {pipeline[^1]:0.0} frames/s, sequential {sequential[^1]:0.0} frames/s");
            }
            var report = new JsonObject
            {
                ["machine"] = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}",
                ["flow"] = new JsonObject
                {
                    ["work"] = "decode + grayscale + Farneback (video.opticalflow defaults), 320x240",
                    ["frames"] = frames,
                    ["parallelism"] = parallelism,
                    ["pipelineFramesPerSecond"] = Math.Round(Statistics.Median(pipeline), 1),
                    ["sequentialFramesPerSecond"] = Math.Round(Statistics.Median(sequential), 1),
                    ["ratio"] = Math.Round(Statistics.Median(pipeline.Zip(sequential, (p, s) => p / s).ToList()), 2),
                    ["trials"] = trials,
                },
            };
            if (Directory.Exists(model))
            {
                var actionPlan = Plan(registry, $$"""
                    { "name": "bench-actions", "defaults": { "capacity": 64 }, "stages": [
                      { "id": "src", "type": "video.source", "options": { "uri": "{{clip}}", "width": 64, "height": 64, "grayscale": true } },
                      { "id": "pairs", "type": "video.pairs", "input": "src" },
                      { "id": "flow", "type": "video.opticalflow", "input": "pairs", "parallelism": {{parallelism}}, "options": { "visualize": true } },
                      { "id": "clips", "type": "window.sliding", "input": "flow", "options": { "size": 16, "hop": 16 } },
                      { "id": "actions", "type": "action.twostream", "input": "clips", "options": { "model": "{{model}}" } },
                      { "id": "out", "type": "sink.null", "input": "actions" } ] }
                    """);
                await RunPipelineAsync(actionPlan).ConfigureAwait(false);
                var runs = new List<double>();
                for (var trial = 0; trial < trials; trial++)
                {
                    runs.Add(frames / (await RunPipelineAsync(actionPlan).ConfigureAwait(false)).TotalSeconds);
                }
                var fps = Statistics.Median(runs);
                report["actionPipeline"] = new JsonObject
                {
                    ["work"] = "320x240 30 fps clip: decode, resize to 64x64 gray, Farneback, 16-frame clips, two-stream model",
                    ["framesPerSecond"] = Math.Round(fps, 1),
                    ["timesRealTime"] = Math.Round(fps / 30, 2),
                };
            }
            else
            {
                progress.WriteLine($"bench video: no model at {model}; skipping the end-to-end action pipeline");
            }
            return report;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A real video a package ships (not the one the video issue reserves for evaluation).</summary>
    private const string RealVideo = "/usr/share/doc/opencv-doc/examples/data/Megamind.avi";

    /// <summary>
    /// The default pipeline as a live camera would feed it: <paramref name="video"/> resized to 640×480 and
    /// played at 30 fps (realtime pace, looped) into <c>pipelines/action-recognition.json</c>, whose head edge
    /// (source → pairs) drops the oldest frame when full, as a live source must. Reports frames decoded,
    /// dropped and processed, predictions, and each stage's largest queue: a pipeline that keeps up drops none
    /// and its queues stay short.
    /// </summary>
    private static async Task<JsonObject> LiveRealVideoAsync(string video, TimeSpan duration, TextWriter progress)
    {
        var folder = Path.Combine(Path.GetTempPath(), "streamseq-bench-live-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var clip = Path.Combine(folder, "live-640x480.avi");
            var frames = Resize(video, clip, 640, 480, 30);
            progress.WriteLine($"bench video: live row: {Path.GetFileName(video)} as {frames} frames of 640x480 at 30 fps, looped for {duration.TotalSeconds:0} s");
            var overrides = new[]
            {
                PipelineOverride.Parse("camera.uri=" + clip),
                PipelineOverride.Parse("camera.pace=realtime"),
                PipelineOverride.Parse("camera.loop=true"),
                PipelineOverride.Parse("pairs.full=drop-oldest"),
                PipelineOverride.Parse("log.path=" + Path.Combine(folder, "actions.jsonl")),
                PipelineOverride.Parse("video.path=" + Path.Combine(folder, "actions.mp4")),
            };
            var diagnostics = new List<PipelineDiagnostic>();
            var plan = PipelineLoader.TryLoad("pipelines/action-recognition.json", BuiltInStages.CreateRegistry(), diagnostics, overrides)
                ?? throw new InvalidOperationException(string.Join(Environment.NewLine, diagnostics));
            var run = PipelineRun.Start(plan);
            var clock = Stopwatch.StartNew();
            await Task.WhenAny(run.Completion, Task.Delay(duration)).ConfigureAwait(false);
            var result = await run.StopAsync().ConfigureAwait(false);
            var seconds = clock.Elapsed.TotalSeconds;
            if (!result.Succeeded && result.Failures.Count > 0)
            {
                throw new InvalidOperationException(string.Join("; ", result.Failures.Select(f => $"{f.StageId}: {f.Error.Message}")));
            }
            long Out(string id) => result.Stages.Single(s => s.StageId == id).Out;
            var queues = new JsonObject();
            foreach (var stage in result.Stages)
            {
                queues[stage.StageId] = stage.MaxQueueDepth;
            }
            return new JsonObject
            {
                ["work"] = $"{Path.GetFileName(video)} resized to 640x480, 30 fps realtime, looped, through pipelines/action-recognition.json (64x64 gray, Farneback on 2 workers, 16-frame clips, models/actions/motion, annotated MP4); source -> pairs drops the oldest frame when full",
                ["seconds"] = Math.Round(seconds, 1),
                ["framesDecoded"] = Out("camera"),
                ["framesDropped"] = result.Stages.Sum(s => s.Dropped),
                ["framesThroughFlow"] = Out("flow"),
                ["flowFramesPerSecond"] = Math.Round(Out("flow") / seconds, 1),
                ["predictions"] = Out("actions"),
                ["maxQueueDepth"] = queues,
            };
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Writes <paramref name="source"/> resized to width×height as MJPG at <paramref name="fps"/>; returns the frames written.</summary>
    private static int Resize(string source, string target, int width, int height, double fps)
    {
        using var capture = new VideoCapture(source, VideoCaptureAPIs.FFMPEG);
        if (!capture.IsOpened())
        {
            throw new IOException($"cannot open video '{source}'");
        }
        using var writer = new VideoWriter(target, FourCC.MJPG, fps, new Size(width, height), true);
        using var frame = new Mat();
        using var resized = new Mat();
        var count = 0;
        while (capture.Read(frame) && !frame.Empty())
        {
            Cv2.Resize(frame, resized, new Size(width, height), 0, 0, InterpolationFlags.Area);
            writer.Write(resized);
            count++;
        }
        return count;
    }

    /// <summary>
    /// The shipped action pipeline on its sample, looped, for <paramref name="duration"/>: every 10 s the
    /// process's RSS, the managed heap, live frames (native Mats) and booked tensors. A leak shows as a slope
    /// in the second half of the run (the first half includes warm-up: JIT, torch's and OpenCV's pools).
    /// </summary>
    private static async Task<JsonObject> SoakAsync(TimeSpan duration, TextWriter progress)
    {
        var folder = Path.Combine(Path.GetTempPath(), "streamseq-soak-" + Guid.NewGuid().ToString("N"));
        var overrides = new[]
        {
            PipelineOverride.Parse("camera.loop=true"),
            PipelineOverride.Parse("log.path=" + Path.Combine(folder, "actions.jsonl")),
            PipelineOverride.Parse("video.path=" + Path.Combine(folder, "actions.mp4")),
        };
        var diagnostics = new List<PipelineDiagnostic>();
        var plan = PipelineLoader.TryLoad("pipelines/action-recognition.json", BuiltInStages.CreateRegistry(), diagnostics, overrides)
            ?? throw new InvalidOperationException(string.Join(Environment.NewLine, diagnostics));
        var samples = new JsonArray();
        var points = new List<(double Minutes, double RssMb, double HeapMb)>();
        var run = PipelineRun.Start(plan);
        var clock = Stopwatch.StartNew();
        try
        {
            while (clock.Elapsed < duration && !run.Completion.IsCompleted)
            {
                await Task.WhenAny(run.Completion, Task.Delay(TimeSpan.FromSeconds(10))).ConfigureAwait(false);
                using var self = Process.GetCurrentProcess();
                var rss = self.WorkingSet64 / 1048576.0;
                var heap = GC.GetTotalMemory(forceFullCollection: false) / 1048576.0;
                var frames = run.Stages.Single(s => s.StageId == "camera").Out;
                points.Add((clock.Elapsed.TotalMinutes, rss, heap));
                samples.Add(new JsonObject
                {
                    ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds),
                    ["frames"] = frames,
                    ["rssMb"] = Math.Round(rss, 1),
                    ["managedHeapMb"] = Math.Round(heap, 1),
                    ["liveFrames"] = VideoFrame.Live,
                    ["tensors"] = StreamSeq.Learning.TensorLedger.Live,
                });
                progress.WriteLine($"bench video --soak: {clock.Elapsed.TotalSeconds:0}s {frames} frames, RSS {rss:0.0} MB, heap {heap:0.0} MB, live frames {VideoFrame.Live}, tensors {StreamSeq.Learning.TensorLedger.Live}");
            }
            var result = await run.StopAsync().ConfigureAwait(false);
            var secondHalf = points.Where(p => p.Minutes >= duration.TotalMinutes / 2).ToList();
            return new JsonObject
            {
                ["work"] = "pipelines/action-recognition.json on samples/actions.mp4, looped",
                ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds),
                ["succeeded"] = result.Failures.Count == 0,
                ["rssSlopeMbPerMinuteSecondHalf"] = Math.Round(Slope(secondHalf.Select(p => (p.Minutes, p.RssMb)).ToList()), 2),
                ["heapSlopeMbPerMinuteSecondHalf"] = Math.Round(Slope(secondHalf.Select(p => (p.Minutes, p.HeapMb)).ToList()), 2),
                ["liveFramesAfterStop"] = VideoFrame.Live,
                ["samples"] = samples,
            };
        }
        finally
        {
            if (!run.Completion.IsCompleted)
            {
                run.Abort();
            }
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>Least-squares slope of y over x.</summary>
    private static double Slope(IReadOnlyList<(double X, double Y)> points)
    {
        if (points.Count < 2)
        {
            return 0;
        }
        var meanX = points.Average(p => p.X);
        var meanY = points.Average(p => p.Y);
        var covariance = points.Sum(p => (p.X - meanX) * (p.Y - meanY));
        var variance = points.Sum(p => (p.X - meanX) * (p.X - meanX));
        return variance == 0 ? 0 : covariance / variance;
    }

    private static PipelinePlan Plan(StreamSeq.Registry.StageRegistry registry, string json)
    {
        var diagnostics = new List<PipelineDiagnostic>();
        return PipelineLoader.TryLoad(Encoding.UTF8.GetBytes(json), "bench:video", registry, diagnostics, baseDirectory: Directory.GetCurrentDirectory())
            ?? throw new InvalidOperationException(string.Join(Environment.NewLine, diagnostics));
    }

    private static async Task<TimeSpan> RunPipelineAsync(PipelinePlan plan)
    {
        var clock = Stopwatch.StartNew();
        var result = await PipelineRun.Start(plan).Completion.ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", result.Failures.Select(f => $"{f.StageId}: {f.Error.Message}")));
        }
        return clock.Elapsed;
    }

    /// <summary>The same work as the flow pipeline, written as one loop.</summary>
    private static TimeSpan Sequential(string clip)
    {
        var clock = Stopwatch.StartNew();
        using var capture = new VideoCapture(clip, VideoCaptureAPIs.FFMPEG);
        using var frame = new Mat();
        Mat? previous = null;
        try
        {
            while (capture.Read(frame) && !frame.Empty())
            {
                var gray = new Mat();
                Cv2.CvtColor(frame, gray, ColorConversionCodes.BGR2GRAY);
                if (previous is not null)
                {
                    using var flow = new Mat();
                    Cv2.CalcOpticalFlowFarneback(previous, gray, flow, 0.5, 3, 15, 3, 5, 1.2, OpticalFlowFlags.None);
                    previous.Dispose();
                }
                previous = gray;
            }
        }
        finally
        {
            previous?.Dispose();
        }
        return clock.Elapsed;
    }

    private static void WriteClip(string path, int frames, int width, int height, double fps)
    {
        using var writer = new VideoWriter(path, FourCC.MJPG, fps, new Size(width, height), true);
        using var texture = new Mat(height * 2, width * 3, MatType.CV_8UC1);
        Cv2.Randu(texture, 0, 255);
        Cv2.GaussianBlur(texture, texture, new Size(0, 0), 4);
        Cv2.Normalize(texture, texture, 0, 255, NormTypes.MinMax);
        using var bgr = new Mat();
        for (var t = 0; t < frames; t++)
        {
            // A window wandering over a texture three frames wide and two high: smooth motion everywhere.
            var x = (int)(width * (1 + (0.9 * Math.Sin(t / 20.0))));
            var y = (int)(height / 2.0 * (1 + (0.9 * Math.Cos(t / 25.0))));
            using var view = new Mat(texture, new Rect(x, y, width, height));
            Cv2.CvtColor(view, bgr, ColorConversionCodes.GRAY2BGR);
            writer.Write(bgr);
        }
    }

}
