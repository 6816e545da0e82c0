namespace StreamSeq.Media;

/// <summary>The rate at which a run of frames should be played back, and where that figure came from.</summary>
public static class FrameRate
{
    /// <summary>Rates outside this range are not believed when measured from media times.</summary>
    private const double Slowest = 1;
    private const double Fastest = 240;

    /// <summary>Frames a rate is read from; more adds nothing but work.</summary>
    private const int Looked = 64;

    /// <summary>
    /// The playback rate of <paramref name="first"/> and the frames after it: the source's nominal rate over the
    /// median index step between them (a frame skip, <c>video.every</c> or a dropped frame shows as a step), else
    /// the median step of their media times, else 30 fps. Media times come second because a live source stamps
    /// frames with their arrival: ffmpeg hands over the frames it buffered while probing the stream in one burst,
    /// microseconds apart, and a rate measured there is hundreds of fps.
    /// </summary>
    /// <returns>The rate, to the millihertz, and a phrase that says where it came from (for messages).</returns>
    public static (double Fps, string Origin) Of(VideoFrame first, IEnumerable<VideoFrame> following)
    {
        var frames = following.Take(Looked).Prepend(first).ToList();
        if (first.SourceFps > 0)
        {
            var indexSteps = Steps(frames, f => f.Index);
            var step = indexSteps.Count > 0 ? Median(indexSteps) : 1;
            if (step >= 1)
            {
                var origin = step == 1 ? $"the source's nominal {first.SourceFps:0.###} fps" : $"the source's nominal {first.SourceFps:0.###} fps, one frame in {step:0.#}";
                return (Math.Round(first.SourceFps / step, 3), origin);
            }
        }
        var mediaSteps = Steps(frames, f => f.MediaTime.TotalSeconds);
        if (mediaSteps.Count > 0)
        {
            var fps = 1 / Median(mediaSteps);
            if (fps is >= Slowest and <= Fastest)
            {
                return (Math.Round(fps, 3), $"the frames' media times ({mediaSteps.Count} step(s))");
            }
        }
        return (30, "a default of 30 fps: the frames carry no rate and their media times give none");
    }

    private static List<double> Steps(List<VideoFrame> frames, Func<VideoFrame, double> position)
    {
        var steps = new List<double>(frames.Count);
        for (var i = 1; i < frames.Count; i++)
        {
            var step = position(frames[i]) - position(frames[i - 1]);
            if (step > 0)
            {
                steps.Add(step);
            }
        }
        return steps;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
