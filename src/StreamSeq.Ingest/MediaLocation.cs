using System.Text.RegularExpressions;

namespace StreamSeq.Ingest;

/// <summary>
/// A source's <c>uri</c> parsed once for every reader (video, audio, the publisher): what it is and where,
/// resolved against the pipeline's folder. <c>file://</c> URLs are files; any other <c>scheme://</c> is a network
/// stream (or, where the reader takes it, <c>tcp://</c> raw PCM); then, where accepted, <c>-</c>/<c>stdin</c>, camera
/// indexes and device nodes, folders and globs of images; anything else is a file.
/// </summary>
public sealed partial class MediaLocation
{
    /// <summary>Extensions read as images in an image sequence.</summary>
    public static IReadOnlyList<string> ImageExtensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm"];

    /// <summary>Extensions of files that hold audio only.</summary>
    public static IReadOnlyList<string> AudioExtensions { get; } = [".wav", ".mp3", ".flac", ".ogg", ".opus", ".m4a", ".aac"];

    private MediaLocation(MediaKind kind, string target, string display)
    {
        Kind = kind;
        Target = target;
        Display = display;
    }

    /// <summary>What the location names.</summary>
    public MediaKind Kind { get; }

    /// <summary>The path, device node, URL or glob ("stdin" for standard input).</summary>
    public string Target { get; }

    private string Display { get; }

    /// <summary>Live sources reconnect when they drop; files and folders end.</summary>
    public bool IsLive => Kind is MediaKind.Device or MediaKind.Network or MediaKind.TcpPcm;

    /// <summary>Whether it is a file whose extension says it holds audio only (.wav, .mp3, .flac, …).</summary>
    public bool IsAudioFile => Kind == MediaKind.File && AudioExtensions.Contains(Path.GetExtension(Target).ToLowerInvariant());

    /// <summary>The device index for <see cref="MediaKind.Device"/>.</summary>
    public int DeviceIndex { get; private init; } = -1;

    /// <summary>Parses <paramref name="uri"/> as a reader that accepts <paramref name="forms"/> sees it.</summary>
    /// <param name="uri">The source's <c>uri</c> option.</param>
    /// <param name="baseDirectory">The folder relative paths are resolved against (the pipeline file's).</param>
    /// <param name="forms">What the reader takes besides files and network URLs.</param>
    public static MediaLocation Parse(string uri, string baseDirectory, MediaLocationForms forms = MediaLocationForms.Video)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var text = uri.Trim();
        if (UrlScheme().IsMatch(text))
        {
            if (text.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
            {
                return Parse(new Uri(text).LocalPath, baseDirectory, forms);
            }
            if (forms.HasFlag(MediaLocationForms.TcpPcm) && text.StartsWith("tcp://", StringComparison.OrdinalIgnoreCase))
            {
                return new MediaLocation(MediaKind.TcpPcm, text, $"raw PCM from {text}");
            }
            return new MediaLocation(MediaKind.Network, text, RedactCredentials(text));
        }
        if (forms.HasFlag(MediaLocationForms.StandardInput) && text is "-" or "stdin")
        {
            return new MediaLocation(MediaKind.Stdin, "stdin", "stdin");
        }
        if (forms.HasFlag(MediaLocationForms.Devices))
        {
            if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
            {
                return new MediaLocation(MediaKind.Device, $"/dev/video{index}", $"camera {index} (/dev/video{index})") { DeviceIndex = index };
            }
            if (DeviceNode().Match(text) is { Success: true } node)
            {
                var number = int.Parse(node.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                return new MediaLocation(MediaKind.Device, text, $"camera {text}") { DeviceIndex = number };
            }
        }
        var path = Path.GetFullPath(text, baseDirectory);
        if (forms.HasFlag(MediaLocationForms.ImageSequences) && (text.Contains('*') || text.Contains('?') || Directory.Exists(path)))
        {
            return new MediaLocation(MediaKind.ImageSequence, path, $"image sequence {path}");
        }
        return new MediaLocation(MediaKind.File, path, path);
    }

    /// <summary>The host and port of a <see cref="MediaKind.TcpPcm"/> location; false when the URL has none.</summary>
    public bool TryGetTcpEndpoint(out string host, out int port)
    {
        host = "";
        port = 0;
        if (Kind != MediaKind.TcpPcm || !Uri.TryCreate(Target, UriKind.Absolute, out var parsed) || parsed.Port <= 0 || parsed.Host.Length == 0)
        {
            return false;
        }
        host = parsed.Host;
        port = parsed.Port;
        return true;
    }

    /// <summary>Fails with a message that names the missing thing, before any decoder is involved.</summary>
    public void ThrowIfMissing()
    {
        switch (Kind)
        {
            case MediaKind.File when !File.Exists(Target):
                throw new FileNotFoundException($"file '{Target}' does not exist", Target);
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
