using StreamSeq.Audio.Tests.Support;
using StreamSeq.Audio.Wav;

namespace StreamSeq.Audio.Tests.Wav;

public sealed class WavReaderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<WavSampleFormat, int, bool> Formats()
    {
        var data = new TheoryData<WavSampleFormat, int, bool>();
        foreach (var format in Enum.GetValues<WavSampleFormat>())
        {
            foreach (var channels in new[] { 1, 2 })
            {
                foreach (var extensible in new[] { false, true })
                {
                    data.Add(format, channels, extensible);
                }
            }
        }
        return data;
    }

    private static double Tolerance(WavSampleFormat format) => format switch
    {
        WavSampleFormat.Pcm8 => 1.0 / 127,
        WavSampleFormat.Pcm16 => 1.0 / 32767,
        WavSampleFormat.Pcm24 => 1.0 / 8388607,
        WavSampleFormat.Pcm32 => 1e-7,
        _ => 1e-7,
    };

    private static float[] Stereo(int rate, int frames)
        => Signals.Interleave(Signals.Sine(440, rate, frames, 0.8), Signals.Sine(1000, rate, frames, -0.6));

    [Theory]
    [MemberData(nameof(Formats))]
    public void Every_format_written_reads_back_within_its_quantisation(WavSampleFormat format, int channels, bool extensible)
    {
        var rate = 22050;
        var samples = channels == 1 ? Signals.Sine(440, rate, 2000, 0.8) : Stereo(rate, 2000);
        var path = _dir.File($"{format}-{channels}-{extensible}.wav");
        WavWriter.WriteFile(path, new AudioBuffer(samples, rate, channels), format, extensible);

        using var reader = new WavReader(path);
        Assert.Equal(new WavFormat(rate, channels, format, extensible), reader.Format);
        Assert.Equal(2000, reader.FrameCount);
        var audio = reader.ReadToEnd();
        Assert.Equal(samples.Length, audio.Samples.Length);
        var worst = samples.Zip(audio.Samples, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= Tolerance(format) * 1.01, $"{format}: max error {worst}");
    }

    [Theory]
    [InlineData("-b", "8", "-e", "unsigned-integer", WavSampleFormat.Pcm8)]
    [InlineData("-b", "16", "-e", "signed-integer", WavSampleFormat.Pcm16)]
    [InlineData("-b", "24", "-e", "signed-integer", WavSampleFormat.Pcm24)]
    [InlineData("-b", "32", "-e", "signed-integer", WavSampleFormat.Pcm32)]
    [InlineData("-b", "32", "-e", "floating-point", WavSampleFormat.Float32)]
    [InlineData("-b", "64", "-e", "floating-point", WavSampleFormat.Float64)]
    public void Files_written_by_sox_read_as_the_same_signal(string b, string bits, string e, string encoding, WavSampleFormat expected)
    {
        var rate = 44100;
        var original = Stereo(rate, 4410);
        var source = _dir.File("source.wav");
        WavWriter.WriteFile(source, new AudioBuffer(original, rate, 2), WavSampleFormat.Float32);
        var converted = _dir.File($"sox-{bits}-{encoding}.wav");
        Tools.Run("sox", source, b, bits, e, encoding, converted);

        using var reader = new WavReader(converted);
        Assert.Equal(expected, reader.Format.SampleFormat);
        Assert.Equal(2, reader.Format.Channels);
        Assert.Equal(rate, reader.Format.SampleRate);
        var audio = reader.ReadToEnd();
        Assert.Equal(original.Length, audio.Samples.Length);
        // sox may dither when it reduces precision: allow a few steps of the format.
        var worst = original.Zip(audio.Samples, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(worst <= Math.Max(Tolerance(expected) * 4, 1e-6), $"max error {worst}");
    }

    [Theory]
    [InlineData("pcm_u8", WavSampleFormat.Pcm8, 1)]
    [InlineData("pcm_s16le", WavSampleFormat.Pcm16, 1)]
    [InlineData("pcm_s24le", WavSampleFormat.Pcm24, 2)]
    [InlineData("pcm_s32le", WavSampleFormat.Pcm32, 2)]
    [InlineData("pcm_f32le", WavSampleFormat.Float32, 1)]
    [InlineData("pcm_f64le", WavSampleFormat.Float64, 2)]
    public void Files_written_by_ffmpeg_read_as_the_same_signal(string codec, WavSampleFormat expected, int channels)
    {
        var rate = 8000;
        var original = channels == 1 ? Signals.Sine(300, rate, 800, 0.7) : Stereo(rate, 800);
        var source = _dir.File("source.wav");
        WavWriter.WriteFile(source, new AudioBuffer(original, rate, channels), WavSampleFormat.Float64);
        var converted = _dir.File($"ffmpeg-{codec}.wav");
        Tools.Run("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", source, "-c:a", codec, converted);

        var audio = WavReader.ReadFile(converted);
        Assert.Equal(channels, audio.Channels);
        Assert.Equal(original.Length, audio.Samples.Length);
        var worst = original.Zip(audio.Samples, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(worst <= Tolerance(expected) * 1.01 + 1e-7, $"max error {worst}");
    }

    [Fact]
    public void Unknown_chunks_before_the_data_are_skipped()
    {
        var bytes = WavBytes(Signals.Sine(100, 8000, 100), WavSampleFormat.Pcm16);
        // Insert a LIST chunk (odd size, so padded) between fmt and data.
        var dataAt = IndexOf(bytes, "data"u8);
        byte[] list = [.. "LIST"u8, 5, 0, 0, 0, .. "INFOx"u8, 0];
        var patched = bytes[..dataAt].Concat(list).Concat(bytes[dataAt..]).ToArray();
        var audio = new WavReader(new MemoryStream(patched), "list.wav").ReadToEnd();
        Assert.Equal(100, audio.Frames);
    }

    [Fact]
    public void A_file_cut_inside_its_data_is_reported_as_truncated_with_its_name()
    {
        var path = _dir.File("cut.wav");
        WavWriter.WriteFile(path, new AudioBuffer(Signals.Sine(440, 16000, 16000), 16000));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 1001)]);

        var e = Assert.Throws<AudioFormatException>(() => WavReader.ReadFile(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void A_truncated_stream_that_cannot_seek_fails_at_the_end_instead_of_hanging()
    {
        var bytes = WavBytes(Signals.Sine(440, 16000, 4000), WavSampleFormat.Pcm24);
        using var stream = new NonSeekable(bytes[..(bytes.Length - 333)]);
        using var reader = new WavReader(stream, "pipe");
        var block = new float[512];
        var e = Assert.Throws<AudioFormatException>(() =>
        {
            while (reader.Read(block) > 0)
            {
            }
        });
        Assert.StartsWith("pipe: truncated", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(20)]
    [InlineData(30)]
    [InlineData(40)]
    public void A_file_cut_inside_its_header_is_reported(int keep)
    {
        var path = _dir.File("header.wav");
        File.WriteAllBytes(path, WavBytes(Signals.Sine(440, 16000, 100), WavSampleFormat.Pcm16)[..keep]);
        var e = Assert.Throws<AudioFormatException>(() => WavReader.ReadFile(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Garbage_is_not_a_wav_file()
    {
        var path = _dir.File("noise.wav");
        File.WriteAllBytes(path, [.. Enumerable.Range(0, 1000).Select(i => (byte)(i * 37))]);
        var e = Assert.Throws<AudioFormatException>(() => WavReader.ReadFile(path));
        Assert.Contains("not a WAV file", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Unsupported_encodings_and_inconsistent_headers_are_named()
    {
        var bytes = WavBytes(Signals.Sine(440, 8000, 10), WavSampleFormat.Pcm16);
        var fmt = IndexOf(bytes, "fmt "u8) + 8;
        var mp3 = (byte[])bytes.Clone();
        mp3[fmt] = 0x55;
        Assert.Contains("format tag 0x0055", Assert.Throws<AudioFormatException>(() => new WavReader(new MemoryStream(mp3), "a.wav")).Message);
        var badAlign = (byte[])bytes.Clone();
        badAlign[fmt + 12] = 3;
        Assert.Contains("block align", Assert.Throws<AudioFormatException>(() => new WavReader(new MemoryStream(badAlign), "b.wav")).Message);
        var noChannels = (byte[])bytes.Clone();
        noChannels[fmt + 2] = 0;
        Assert.Contains("0 channels", Assert.Throws<AudioFormatException>(() => new WavReader(new MemoryStream(noChannels), "c.wav")).Message);
    }

    [Fact]
    public void A_stream_written_without_sizes_reads_to_its_end()
    {
        // A writer on a pipe cannot go back to fill in sizes: they stay 0xFFFFFFFF ("to the end").
        var samples = Signals.Sine(440, 16000, 3000);
        var buffer = new MemoryStream();
        using (var pipe = new NonSeekable(buffer))
        using (var writer = new WavWriter(pipe, WavFormat.Pcm16Mono(16000)))
        {
            writer.Write(samples);
        }
        using var reader = new WavReader(new NonSeekable(buffer.ToArray()), "pipe");
        Assert.Null(reader.FrameCount);
        Assert.Equal(3000, reader.ReadToEnd().Frames);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var path = _dir.File("absent.wav");
        var e = Assert.Throws<AudioFormatException>(() => WavReader.ReadFile(path));
        Assert.StartsWith(path, e.Message);
    }

    [Fact]
    public void Integer_formats_clip_instead_of_wrapping()
    {
        var path = _dir.File("loud.wav");
        WavWriter.WriteFile(path, new AudioBuffer([1.5f, -1.5f, 0.999999f], 8000), WavSampleFormat.Pcm16);
        var audio = WavReader.ReadFile(path);
        Assert.Equal(32767 / 32768f, audio.Samples[0]);
        Assert.Equal(-1f, audio.Samples[1]);
        Assert.True(audio.Samples[2] > 0.99f);
    }

    internal static byte[] WavBytes(float[] samples, WavSampleFormat format, int rate = 16000)
    {
        var stream = new MemoryStream();
        using (var writer = new WavWriter(stream, new WavFormat(rate, 1, format)))
        {
            writer.Write(samples);
        }
        return stream.ToArray();
    }

    private static int IndexOf(byte[] bytes, ReadOnlySpan<byte> pattern) => bytes.AsSpan().IndexOf(pattern);

    /// <summary>A stream that cannot seek, like a pipe.</summary>
    internal sealed class NonSeekable(Stream inner) : Stream
    {
        public NonSeekable(byte[] bytes)
            : this(new MemoryStream(bytes))
        {
        }

        public override bool CanRead => inner.CanRead;
        public override bool CanSeek => false;
        public override bool CanWrite => inner.CanWrite;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 100)); // short reads, like a pipe
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
