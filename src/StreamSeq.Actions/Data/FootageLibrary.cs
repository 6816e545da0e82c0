using System.Diagnostics;
using OpenCvSharp;

namespace StreamSeq.Actions.Data;

/// <summary>
/// Real photographs and videos named by package (<c>pkg:NAME</c>: the files <c>dpkg -L</c> lists) or by path
/// (a file or a folder), loaded as gray pictures. Each package or folder is one collection, so a split can hold
/// out whole collections. Sources reserved for the independent video test are refused.
/// </summary>
public static class FootageLibrary
{
    private static readonly string[] PhotoExtensions = [".jpg", ".jpeg", ".png", ".webp"];
    private static readonly string[] VideoExtensions = [".avi", ".mp4", ".mov", ".mkv", ".ogv", ".webm", ".mpg"];

    /// <summary>Packages whose photographs (and, for opencv-doc, vtest.avi) the independent test keeps for itself.</summary>
    public static readonly IReadOnlyList<string> ReservedPackages = ["opencv-doc", "python3-skimage", "python-matplotlib-data", "mate-backgrounds", "plasma-workspace-wallpapers"];

    /// <summary>Photos smaller than this (short side, pixels) are icons or thumbnails, not scenes.</summary>
    private const int MinPhotoSide = 240;

    /// <summary>Frames kept per video: enough for many clips, little memory.</summary>
    private const int MaxVideoFrames = 400;

    /// <summary>Resolves specs to files with their collection names; refuses reserved ones.</summary>
    public static IReadOnlyList<(string Collection, string Path)> Resolve(IEnumerable<string> specs)
    {
        var result = new List<(string, string)>();
        foreach (var spec in specs)
        {
            IEnumerable<string> files;
            string collection;
            // NAME=PATH names the collection of a folder or file (e.g. a package unpacked with dpkg -x).
            var equals = spec.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && !spec.StartsWith("pkg:", StringComparison.Ordinal))
            {
                collection = spec[..equals];
                var path = spec[(equals + 1)..];
                files = Directory.Exists(path) ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    : File.Exists(path) ? [path]
                    : throw new FileNotFoundException($"footage source '{spec}': '{path}' is neither a folder nor a file", path);
            }
            else if (spec.StartsWith("pkg:", StringComparison.Ordinal))
            {
                collection = spec[4..];
                files = PackageFiles(collection);
            }
            else if (Directory.Exists(spec))
            {
                collection = System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(spec));
                files = Directory.EnumerateFiles(spec, "*", SearchOption.AllDirectories);
            }
            else if (File.Exists(spec))
            {
                collection = System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(spec)) ?? spec;
                files = [spec];
            }
            else
            {
                throw new FileNotFoundException($"footage source '{spec}' is neither a package (pkg:NAME), a folder nor a file", spec);
            }
            var kept = files.Where(f => IsPhoto(f) || IsVideo(f)).Order(StringComparer.Ordinal).ToList();
            if (kept.Count == 0)
            {
                throw new InvalidDataException($"footage source '{spec}' has no photos ({string.Join(", ", PhotoExtensions)}) or videos");
            }
            foreach (var file in kept)
            {
                if (IsReserved(collection, file))
                {
                    throw new InvalidDataException($"'{file}' ({collection}) is reserved for the independent video test; train and choose models on other sources");
                }
                result.Add((collection, file));
            }
        }
        return result;
    }

    /// <summary>Whether a file belongs to the sources the independent test reserves.</summary>
    public static bool IsReserved(string collection, string path)
    {
        var lower = path.ToLowerInvariant();
        if (System.IO.Path.GetFileName(lower) == "vtest.avi")
        {
            return true;
        }
        var reservedPackage = ReservedPackages.Contains(collection) && (collection != "opencv-doc" || IsPhoto(path));
        var reservedPlace = lower.Contains("/opencv-doc/") && IsPhoto(path)
            || lower.Contains("/skimage/data/")
            || lower.Contains("/matplotlib/mpl-data/sample_data/")
            || lower.StartsWith("/usr/share/backgrounds/mate/", StringComparison.Ordinal)
            || lower.StartsWith("/usr/share/wallpapers/", StringComparison.Ordinal);
        return reservedPackage || reservedPlace;
    }

    /// <summary>
    /// Loads the files as footage: photos as one gray picture (short side scaled to 600 pixels), videos as up to
    /// <see cref="MaxVideoFrames"/> gray frames (short side at most 300). Photos too small to be scenes are skipped.
    /// </summary>
    public static List<FootageSource> Load(IReadOnlyList<(string Collection, string Path)> files)
    {
        var loaded = new FootageSource?[files.Count];
        Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var (collection, path) = files[i];
            loaded[i] = IsVideo(path) ? LoadVideo(collection, path) : LoadPhoto(collection, path);
        });
        return loaded.OfType<FootageSource>().ToList();
    }

    private static FootageSource? LoadPhoto(string collection, string path)
    {
        using var image = Cv2.ImRead(path, ImreadModes.Grayscale);
        if (image.Empty() || Math.Min(image.Width, image.Height) < MinPhotoSide)
        {
            return null;
        }
        return new FootageSource(collection, System.IO.Path.GetFileName(path), [Shrink(image, 600)]);
    }

    private static FootageSource? LoadVideo(string collection, string path)
    {
        using var capture = new VideoCapture(path, VideoCaptureAPIs.FFMPEG);
        var frames = new List<Mat>();
        using var raw = new Mat();
        while (frames.Count < MaxVideoFrames && capture.IsOpened() && capture.Read(raw) && !raw.Empty())
        {
            frames.Add(Shrink(raw, 300));
        }
        if (frames.Count < MovingMnist.DefaultFrames)
        {
            frames.ForEach(f => f.Dispose());
            return null;
        }
        return new FootageSource(collection, System.IO.Path.GetFileName(path), frames);
    }

    private static Mat Shrink(Mat image, int shortSide)
    {
        var factor = Math.Min(1.0, (double)shortSide / Math.Min(image.Width, image.Height));
        var result = new Mat();
        if (image.Channels() != 1)
        {
            Cv2.CvtColor(image, result, ColorConversionCodes.BGR2GRAY);
        }
        else
        {
            image.CopyTo(result);
        }
        if (factor < 1)
        {
            Cv2.Resize(result, result, new Size(), factor, factor, InterpolationFlags.Area);
        }
        else if (Math.Min(image.Width, image.Height) < shortSide)
        {
            var up = (double)shortSide / Math.Min(image.Width, image.Height);
            Cv2.Resize(result, result, new Size(), up, up, InterpolationFlags.Cubic);
        }
        return result;
    }

    private static bool IsPhoto(string path) => PhotoExtensions.Contains(System.IO.Path.GetExtension(path).ToLowerInvariant());

    private static bool IsVideo(string path) => VideoExtensions.Contains(System.IO.Path.GetExtension(path).ToLowerInvariant());

    private static IEnumerable<string> PackageFiles(string package)
    {
        var info = new ProcessStartInfo("dpkg", ["-L", package]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(info) ?? throw new IOException("dpkg did not start");
        var lines = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidDataException($"package '{package}' is not installed (apt-get install {package})");
        }
        return lines.Where(File.Exists);
    }
}
