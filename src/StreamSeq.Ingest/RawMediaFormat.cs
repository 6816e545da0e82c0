namespace StreamSeq.Ingest;

/// <summary>Headerless samples or frames written to ffmpeg's standard input (see <see cref="Ffmpeg.Encode"/>).</summary>
public abstract record RawMediaFormat
{
    private protected RawMediaFormat()
    {
    }

    /// <summary>Interleaved signed 16-bit little-endian PCM.</summary>
    /// <param name="sampleRate">Frames per second.</param>
    /// <param name="channels">Interleaved channels.</param>
    public static RawMediaFormat Pcm16(int sampleRate, int channels) => new RawAudio(sampleRate, channels);

    /// <summary>Packed BGR frames (3 bytes a pixel, rows top down), one after the other.</summary>
    /// <param name="width">Pixels per row.</param>
    /// <param name="height">Rows.</param>
    /// <param name="fps">Frames per second of media time.</param>
    public static RawMediaFormat Bgr24(int width, int height, double fps) => new RawVideo(width, height, fps);

    /// <summary>ffmpeg's input options that describe the format.</summary>
    internal abstract IEnumerable<string> Arguments();

    private sealed record RawAudio : RawMediaFormat
    {
        public RawAudio(int sampleRate, int channels)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
            ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
            SampleRate = sampleRate;
            Channels = channels;
        }

        public int SampleRate { get; }

        public int Channels { get; }

        internal override IEnumerable<string> Arguments()
            => ["-f", "s16le", "-ar", Ffmpeg.Number(SampleRate), "-ac", Ffmpeg.Number(Channels)];
    }

    private sealed record RawVideo : RawMediaFormat
    {
        public RawVideo(int width, int height, double fps)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
            ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(fps, 0);
            Width = width;
            Height = height;
            Fps = fps;
        }

        public int Width { get; }

        public int Height { get; }

        public double Fps { get; }

        internal override IEnumerable<string> Arguments()
            => ["-f", "rawvideo", "-pix_fmt", "bgr24", "-s", $"{Ffmpeg.Number(Width)}x{Ffmpeg.Number(Height)}", "-r", Ffmpeg.Number(Fps)];
    }
}
