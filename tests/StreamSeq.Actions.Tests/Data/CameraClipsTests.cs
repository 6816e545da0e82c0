using System.Security.Cryptography;
using OpenCvSharp;
using StreamSeq.Actions.Data;
using StreamSeq.Actions.Model;
using StreamSeq.Media;
using StreamSeq.Media.Stages;

namespace StreamSeq.Actions.Tests.Data;

public sealed class CameraClipsTests
{
    [Fact]
    public void Every_camera_motion_shows_in_the_robust_global_fit_of_its_flow_and_still_shows_none()
    {
        using var scene = Photo("scene", 11);
        using var other = Photo("other", 12);
        var classes = ActionClasses.Motions;
        for (var label = 0; label < classes.Count; label++)
        {
            for (var seed = 0; seed < 2; seed++)
            {
                var clip = Flow(CameraClips.Draw(new Random((label * 10) + seed), label, scene, [other]));
                var (tx, ty, curl, divergence) = Mean(clip);
                var largest = new[] { Math.Abs(tx), Math.Abs(ty), Math.Abs(curl), Math.Abs(divergence) }.Max();
                var seen = largest < FlowRule.StillBelow ? "still"
                    : largest == Math.Abs(tx) ? (tx > 0 ? "right" : "left")
                    : largest == Math.Abs(ty) ? (ty > 0 ? "down" : "up")
                    : largest == Math.Abs(curl) ? (curl > 0 ? "rotate-cw" : "rotate-ccw")
                    : divergence > 0 ? "zoom-in" : "zoom-out";
                Assert.True(classes[label] == seen, $"{classes[label]} (seed {seed}) looks like {seen}: tx {tx:0.000} ty {ty:0.000} curl {curl:0.000} div {divergence:0.000}");
            }
        }
    }

    [Fact]
    public void A_still_clip_has_objects_moving_in_front_of_a_static_camera()
    {
        using var scene = Photo("scene", 21);
        using var other = Photo("other", 22);
        var still = ActionClasses.Motions.ToList().IndexOf("still");
        var moving = 0;
        for (var seed = 0; seed < 6; seed++)
        {
            var clip = Flow(CameraClips.Draw(new Random(seed), still, scene, [other]));
            // Somewhere in the clip a part of the picture moves by more than half a 64-pixel frame's pixel per frame.
            var fastest = clip.Temporal.Max(Math.Abs) * 3;
            moving += fastest > 0.5 ? 1 : 0;
            var (tx, ty, _, _) = Mean(clip);
            Assert.True(Math.Abs(tx) < 0.05 && Math.Abs(ty) < 0.05, $"seed {seed}: the camera moved ({tx:0.000}, {ty:0.000})");
        }
        Assert.Equal(6, moving);
    }

    [Fact]
    public void The_writer_holds_out_whole_collections_and_a_seed_gives_the_same_clips()
    {
        var root = Path.Combine(Path.GetTempPath(), "streamseq-camera-" + Guid.NewGuid().ToString("N"));
        using var a = Photo("alpha", 31);
        using var b = Photo("beta", 32);
        using var video = new FootageSource("gamma", "static.avi", Enumerable.Range(0, 20).Select(t => Shifted(33, t)).ToList());
        try
        {
            var folder = CameraDataWriter.Write(Path.Combine(root, "1"), [a, video], [b], trainPerClass: 2, testPerClass: 1, seed: 5);
            CameraDataWriter.Write(Path.Combine(root, "2"), [a, video], [b], trainPerClass: 2, testPerClass: 1, seed: 5);

            var train = ActionDataset.Open(Path.Combine(folder, "train"));
            var test = ActionDataset.Open(Path.Combine(folder, "test"), train.Classes);
            Assert.Equal(ActionClasses.Motions.Order(StringComparer.Ordinal), train.Classes);
            Assert.Equal(18, train.Videos.Count);
            Assert.Equal(9, test.Videos.Count);
            Assert.Equal(9, ActionDataset.Open(Path.Combine(folder, "seen")).Videos.Count);
            var description = File.ReadAllText(Path.Combine(folder, "dataset.json"));
            Assert.Contains("\"alpha\"", description);
            Assert.Contains("static.avi", description);
            foreach (var clip in train.Videos.Concat(test.Videos))
            {
                var twin = clip.Path.Replace(Path.Combine(root, "1"), Path.Combine(root, "2"), StringComparison.Ordinal);
                Assert.Equal(Hash(clip.Path), Hash(twin));
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("opencv-doc", "/usr/share/doc/opencv-doc/examples/data/vtest.avi", true)]
    [InlineData("opencv-doc", "/usr/share/doc/opencv-doc/examples/data/building.jpg", true)]
    [InlineData("opencv-doc", "/usr/share/doc/opencv-doc/examples/data/tree.avi", false)]
    [InlineData("plasma-workspace-wallpapers", "/usr/share/wallpapers/Next/contents/images/1920x1080.png", true)]
    [InlineData("photos", "/usr/share/backgrounds/mate/nature/Storm.jpg", true)]
    [InlineData("photos", "/usr/lib/python3/dist-packages/skimage/data/astronaut.png", true)]
    [InlineData("lomiri-wallpapers-16.04", "/usr/share/backgrounds/Bridge_by_Sander_Klootwijk.jpg", false)]
    public void Sources_reserved_for_the_independent_test_are_recognised(string collection, string path, bool reserved)
        => Assert.Equal(reserved, FootageLibrary.IsReserved(collection, path));

    [Fact]
    public void Resolving_a_reserved_file_fails_naming_it()
    {
        var folder = Path.Combine(Path.GetTempPath(), "streamseq-footage-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var reserved = Path.Combine(folder, "vtest.avi");
        File.WriteAllBytes(reserved, [0]);
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => FootageLibrary.Resolve([$"cctv={folder}"]));
            Assert.Contains("vtest.avi", error.Message);
            Assert.Contains("reserved", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A smooth random texture standing in for a photograph (600×800, like the loader's photos).</summary>
    private static FootageSource Photo(string collection, int seed) => new(collection, $"{collection}.png", [Texture(seed, 800, 600)]);

    private static Mat Texture(int seed, int width, int height)
    {
        var random = new Random(seed);
        var values = new byte[(height / 8) * (width / 8)];
        random.NextBytes(values);
        using var small = Mat.FromPixelData(height / 8, width / 8, MatType.CV_8UC1, values);
        var result = new Mat();
        Cv2.Resize(small, result, new Size(width, height), 0, 0, InterpolationFlags.Cubic);
        return result;
    }

    /// <summary>Frame t of a static camera's video: a still texture with a square crossing it.</summary>
    private static Mat Shifted(int seed, int t)
    {
        var frame = Texture(seed, 400, 300);
        Cv2.Rectangle(frame, new Rect(20 + (6 * t), 100, 40, 60), Scalar.All(250), -1);
        return frame;
    }

    private static ClipTensors Flow(Mat[] frames)
    {
        var decoded = frames.Select((m, i) => new VideoFrame(m, TimeSpan.FromSeconds(i / 30.0), i)).ToList();
        try
        {
            return ClipTensors.FromFrames(decoded, new OpticalFlowOptions());
        }
        finally
        {
            decoded.ForEach(f => f.Dispose());
        }
    }

    /// <summary>The robust global motion averaged over the clip, in the rule's terms.</summary>
    private static (double Tx, double Ty, double Curl, double Divergence) Mean(ClipTensors clip)
    {
        double tx = 0, ty = 0, curl = 0, divergence = 0;
        for (var f = 0; f < clip.Flows; f++)
        {
            var p = GlobalMotion.Fit(clip.Temporal.AsSpan(f * 2 * ClipFeatures.PlaneSize, 2 * ClipFeatures.PlaneSize), ClipFeatures.Side);
            tx += p[0];
            ty += p[3];
            divergence += (p[1] + p[5]) / 2;
            curl += (p[4] - p[2]) / 2;
        }
        return (tx / clip.Flows, ty / clip.Flows, curl / clip.Flows, divergence / clip.Flows);
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
