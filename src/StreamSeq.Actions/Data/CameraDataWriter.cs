using System.Text.Json;

namespace StreamSeq.Actions.Data;

/// <summary>
/// Writes the real-footage motion set: <c>ROOT/camera/train</c> and <c>ROOT/camera/seen</c> (new clips of the
/// training collections: the generator's own test) and <c>ROOT/camera/test</c> (the held-out collections), each
/// folder-per-class like the Moving-MNIST set, with <c>dataset.json</c> naming every collection of every split.
/// </summary>
public static class CameraDataWriter
{
    /// <summary>Share of <c>still</c> clips cut from real static-camera videos, when the split has any.</summary>
    private const double StillFromVideo = 0.5;

    /// <summary>Share of camera-motion clips whose scene is a real video's frames (objects in it move on their own).</summary>
    private const double MotionOverVideo = 0.2;

    public static string Write(string root, IReadOnlyList<FootageSource> train, IReadOnlyList<FootageSource> heldOut, int trainPerClass, int testPerClass, int seed, Action<int, int>? progress = null)
    {
        var folder = Path.Combine(root, "camera");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
        var classes = ActionClasses.Motions;
        var splits = new[] { ("train", train, trainPerClass), ("seen", train, testPerClass), ("test", heldOut, testPerClass) };
        var jobs = new List<(string Split, int SplitIndex, IReadOnlyList<FootageSource> Sources, int Label, int Index)>();
        foreach (var (split, splitIndex) in splits.Select((s, i) => (s, i)))
        {
            var (name, sources, perClass) = split;
            if (sources.Count(s => !s.IsVideo) == 0)
            {
                throw new InvalidDataException($"the {name} split has no photographs (moving objects are cut from them)");
            }
            for (var label = 0; label < classes.Count; label++)
            {
                Directory.CreateDirectory(Path.Combine(folder, name, classes[label]));
                for (var i = 0; i < perClass; i++)
                {
                    jobs.Add((name, splitIndex, sources, label, i));
                }
            }
        }
        var done = 0;
        Parallel.ForEach(jobs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, job =>
        {
            // Clip i of a split depends only on (seed, split, label, i): a fixed mix, not string hashing (randomised per process).
            var random = new Random((int)((((((long)seed * 7919) + job.SplitIndex) * 104729 + job.Label) * 1_000_003 + job.Index) & int.MaxValue));
            var photos = job.Sources.Where(s => !s.IsVideo).ToList();
            var videos = job.Sources.Where(s => s.IsVideo).ToList();
            var still = classes[job.Label] == "still";
            var useVideo = videos.Count > 0 && random.NextDouble() < (still ? StillFromVideo : MotionOverVideo);
            var scene = useVideo ? videos[random.Next(videos.Count)] : photos[random.Next(photos.Count)];
            var frames = CameraClips.Draw(random, job.Label, scene, photos);
            var path = Path.Combine(folder, job.Split, classes[job.Label], $"{job.Split}-{job.Label:00}-{job.Index:00000}.avi");
            ActionDataWriter.WriteClip(path, frames, fps: 30, codec: ActionDataWriter.ClipCodec, upscale: 1);
            progress?.Invoke(Interlocked.Increment(ref done), jobs.Count);
        });
        var description = new
        {
            variant = "camera",
            classes,
            trainPerClass,
            testPerClass,
            seed,
            frames = MovingMnist.DefaultFrames,
            side = CameraClips.Side,
            splits = new
            {
                train = Describe(train),
                seen = "new clips of the train split's collections (the generator's own test)",
                test = Describe(heldOut),
            },
        };
        File.WriteAllText(Path.Combine(folder, "dataset.json"), JsonSerializer.Serialize(description, new JsonSerializerOptions { WriteIndented = true }));
        return folder;
    }

    private static object Describe(IReadOnlyList<FootageSource> sources)
        => sources.GroupBy(s => s.Collection).Select(g => new { collection = g.Key, photos = g.Count(s => !s.IsVideo), videos = g.Where(s => s.IsVideo).Select(s => s.Name).ToList() }).ToList();
}
