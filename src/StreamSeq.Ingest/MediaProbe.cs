using System.Globalization;
using System.Text.RegularExpressions;

namespace StreamSeq.Ingest;

/// <summary>A video stream as ffmpeg reports it.</summary>
/// <param name="Width">Pixels per row.</param>
/// <param name="Height">Rows.</param>
/// <param name="Fps">Frames per second, when the stream states a plausible one (0 &lt; fps &lt; 1000).</param>
public sealed record VideoStreamInfo(int Width, int Height, double? Fps);

/// <summary>An audio stream as ffmpeg reports it.</summary>
/// <param name="SampleRate">Samples per second per channel.</param>
/// <param name="Channels">Channels, when the layout names a count (mono, stereo, 5.1, "6 channels", …).</param>
public sealed record AudioStreamInfo(int SampleRate, int? Channels);

/// <summary>What an input holds: its duration and first video and audio streams (null where absent or unknown).</summary>
/// <param name="Duration">The container's duration; null for live streams and when unknown.</param>
/// <param name="Video">The first video stream.</param>
/// <param name="Audio">The first audio stream.</param>
public sealed partial record MediaProbe(TimeSpan? Duration, VideoStreamInfo? Video, AudioStreamInfo? Audio)
{
    /// <summary>Nothing known yet.</summary>
    public static MediaProbe Empty { get; } = new(null, null, null);

    /// <summary>
    /// Reads one line of ffmpeg's log (level info) about its input: a duration line or a stream line adds what
    /// this probe does not know yet; lines about outputs and anything else change nothing.
    /// </summary>
    public MediaProbe With(string line)
    {
        if (Duration is null && DurationPattern().Match(line) is { Success: true } duration)
        {
            var seconds = double.Parse(duration.Groups[3].Value, CultureInfo.InvariantCulture);
            return this with { Duration = TimeSpan.FromHours(Int(duration.Groups[1].Value)) + TimeSpan.FromMinutes(Int(duration.Groups[2].Value)) + TimeSpan.FromSeconds(seconds) };
        }
        if (!line.TrimStart().StartsWith("Stream #", StringComparison.Ordinal))
        {
            return this;
        }
        if (Video is null && line.Contains(": Video:", StringComparison.Ordinal) && SizePattern().Match(line) is { Success: true } size)
        {
            double? fps = FpsPattern().Match(line) is { Success: true } rate && double.TryParse(rate.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && f is > 0 and < 1000 ? f : null;
            return this with { Video = new VideoStreamInfo(Int(size.Groups[1].Value), Int(size.Groups[2].Value), fps) };
        }
        if (Audio is null && line.Contains(": Audio:", StringComparison.Ordinal) && RatePattern().Match(line) is { Success: true } hz)
        {
            return this with { Audio = new AudioStreamInfo(Int(hz.Groups[1].Value), ChannelsOf(line[(hz.Index + hz.Length)..])) };
        }
        return this;
    }

    /// <summary>Reads a whole log; only the first input's section counts (it ends where the outputs begin).</summary>
    public static MediaProbe Parse(IEnumerable<string> lines)
    {
        var probe = Empty;
        foreach (var line in lines)
        {
            if (EndsInput(line))
            {
                break;
            }
            probe = probe.With(line);
        }
        return probe;
    }

    /// <summary>Whether a log line starts the part about outputs (after which stream lines are not the input's).</summary>
    internal static bool EndsInput(string line)
        => line.StartsWith("Output #", StringComparison.Ordinal) || line.StartsWith("Stream mapping:", StringComparison.Ordinal);

    private static int? ChannelsOf(string rest)
    {
        // ", stereo, fltp, 128 kb/s": the layout is the first field after the rate.
        var layout = rest.TrimStart(',', ' ').Split(',')[0].Trim();
        var paren = layout.IndexOf('(', StringComparison.Ordinal);
        if (paren > 0)
        {
            layout = layout[..paren];
        }
        if (CountPattern().Match(layout) is { Success: true } count)
        {
            return Int(count.Groups[1].Value);
        }
        return layout switch
        {
            "mono" => 1,
            "stereo" or "downmix" => 2,
            "2.1" or "3.0" => 3,
            "quad" or "4.0" or "3.1" => 4,
            "5.0" or "4.1" => 5,
            "5.1" or "6.0" or "hexagonal" => 6,
            "6.1" or "7.0" => 7,
            "7.1" or "octagonal" => 8,
            _ => null,
        };
    }

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\s*Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"[ ,](\d{2,5})x(\d{2,5})[ ,\[]")]
    private static partial Regex SizePattern();

    [GeneratedRegex(@"([\d.]+) fps")]
    private static partial Regex FpsPattern();

    [GeneratedRegex(@"(\d+) Hz")]
    private static partial Regex RatePattern();

    [GeneratedRegex(@"^(\d+) channels$")]
    private static partial Regex CountPattern();
}
