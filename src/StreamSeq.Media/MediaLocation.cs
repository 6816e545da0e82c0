using System.Text.RegularExpressions;

namespace StreamSeq.Media;

/// <summary>What a <c>video.source</c> URI names.</summary>
public enum MediaKind
{
    /// <summary>A video file FFmpeg decodes.</summary>
    File,

    /// <summary>A folder of images, or a glob such as <c>frames/*.png</c>, read in name order.</summary>
    ImageSequence,

    /// <summary>A V4L2 camera: an index (<c>0</c>) or a device node (<c>/dev/video0</c>).</summary>
    Device,

    /// <summary>A network stream: <c>rtsp://</c>, <c>http(s)://</c>, <c>tcp://</c>, <c>udp://</c>, <c>rtmp://</c>, <c>srt://</c>.</summary>
    Network,
}

/// <summary>A parsed <c>video.source</c> URI: what it is and where, resolved against the pipeline's folder.</summary>
public sealed partial class MediaLocation
{
    private static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm"];

    private MediaLocation(MediaKind kind, string target, string display)
    {
        Kind = kind;
        Target = target;
        Display = display;
    }

    public MediaKind Kind { get; }

    /// <summary>The path, device node, URL or glob.</summary>
    public string Target { get; }

    private string Display { get; }

    /// <summary>Live sources reconnect when they drop; files and folders end.</summary>
    public bool IsLive => Kind is MediaKind.Device or MediaKind.Network;

    /// <summary>The device index for <see cref="MediaKind.Device"/>.</summary>
    public int DeviceIndex { get; private init; } = -1;

    public static MediaLocation Parse(string uri, string baseDirectory)
    {
        var text = uri.Trim();
        if (UrlScheme().IsMatch(text))
        {
            if (text.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
            {
                return Parse(new Uri(text).LocalPath, baseDirectory);
            }
            return new MediaLocation(MediaKind.Network, text, RedactCredentials(text));
        }
        if (int.TryParse(text, out var index) && index >= 0)
        {
            return new MediaLocation(MediaKind.Device, $"/dev/video{index}", $"camera {index} (/dev/video{index})") { DeviceIndex = index };
        }
        if (DeviceNode().Match(text) is { Success: true } node)
        {
            var number = int.Parse(node.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            return new MediaLocation(MediaKind.Device, text, $"camera {text}") { DeviceIndex = number };
        }
        var path = Path.GetFullPath(text, baseDirectory);
        if (text.Contains('*') || text.Contains('?') || Directory.Exists(path))
        {
            return new MediaLocation(MediaKind.ImageSequence, path, $"image sequence {path}");
        }
        return new MediaLocation(MediaKind.File, path, path);
    }

    /// <summary>Fails with a message that names the missing thing, before any decoder is involved.</summary>
    public void ThrowIfMissing()
    {
        switch (Kind)
        {
            case MediaKind.File when !File.Exists(Target):
                throw new FileNotFoundException($"video file '{Target}' does not exist", Target);
            case MediaKind.Device when !File.Exists(Target) && OperatingSystem.IsLinux():
                throw new IOException($"{Display}: no such video device (is the camera connected? `ls /dev/video*` lists the ones present)");
            case MediaKind.ImageSequence when ImageFiles().Count == 0:
                throw new FileNotFoundException($"{Display}: no image files ({string.Join(", ", ImageExtensions)}) found", Target);
        }
    }

    /// <summary>The images of an image sequence, in ordinal name order.</summary>
    public IReadOnlyList<string> ImageFiles()
    {
        string folder;
        string pattern;
        if (Directory.Exists(Target))
        {
            folder = Target;
            pattern = "*";
        }
        else
        {
            folder = Path.GetDirectoryName(Target) ?? ".";
            pattern = Path.GetFileName(Target);
            if (!Directory.Exists(folder))
            {
                return [];
            }
        }
        return Directory.EnumerateFiles(folder, pattern)
            .Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <inheritdoc />
    public override string ToString() => Display;

    private static string RedactCredentials(string url)
        => Uri.TryCreate(url, UriKind.Absolute, out var parsed) && !string.IsNullOrEmpty(parsed.UserInfo)
            ? url.Replace(parsed.UserInfo + "@", "***@", StringComparison.Ordinal)
            : url;

    [GeneratedRegex("^[a-zA-Z][a-zA-Z0-9+.-]*://")]
    private static partial Regex UrlScheme();

    [GeneratedRegex(@"^/dev/video(\d+)$")]
    private static partial Regex DeviceNode();
}
