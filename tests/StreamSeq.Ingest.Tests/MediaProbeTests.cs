using StreamSeq.Ingest;

namespace StreamSeq.Ingest.Tests;

public sealed class MediaProbeTests
{
    [Fact]
    public void Reads_duration_and_the_first_video_and_audio_streams_of_the_input_only()
    {
        string[] log =
        [
            "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'clip.mp4':",
            "  Duration: 01:02:03.50, start: 0.000000, bitrate: 263 kb/s",
            "  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 1280x720 [SAR 1:1 DAR 16:9], 200 kb/s, 29.97 fps, 29.97 tbr, 30k tbn (default)",
            "  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, stereo, fltp, 128 kb/s (default)",
            "  Stream #0:2[0x3](und): Audio: aac (LC) (mp4a / 0x6134706D), 8000 Hz, mono, fltp, 32 kb/s",
            "Stream mapping:",
            "Output #0, rawvideo, to 'pipe:':",
            "  Stream #0:0: Video: rawvideo (BGR[24] / 0x18524742), bgr24, 640x360, q=2-31, 10 fps",
        ];
        var probe = MediaProbe.Parse(log);
        Assert.Equal(new TimeSpan(0, 1, 2, 3, 500), probe.Duration);
        Assert.Equal(new VideoStreamInfo(1280, 720, 29.97), probe.Video);
        Assert.Equal(new AudioStreamInfo(44100, 2), probe.Audio);
    }

    [Theory]
    [InlineData("  Stream #0:0: Audio: pcm_s16le ([1][0][0][0] / 0x0001), 16000 Hz, mono, s16, 256 kb/s", 16000, 1)]
    [InlineData("  Stream #0:0: Audio: flac, 48000 Hz, 5.1(side), s32 (24 bit)", 48000, 6)]
    [InlineData("  Stream #0:0: Audio: pcm_f32le, 22050 Hz, 3 channels, flt, 2116 kb/s", 22050, 3)]
    [InlineData("  Stream #0:0: Audio: opus, 48000 Hz, 7.1, fltp", 48000, 8)]
    [InlineData("  Stream #0:0: Audio: adpcm_ms, 11025 Hz, some-layout, s16", 11025, null)]
    public void Reads_audio_rate_and_channel_layouts(string line, int rate, int? channels)
        => Assert.Equal(new AudioStreamInfo(rate, channels), MediaProbe.Empty.With(line).Audio);

    [Fact]
    public void A_stream_without_a_rate_has_none_and_lines_that_are_not_streams_change_nothing()
    {
        var probe = MediaProbe.Empty
            .With("  Stream #0:0: Video: mjpeg, yuvj420p(pc), 640x480, 90k tbn")
            .With("  Metadata: title 12x34, 5 fps")
            .With("  Duration: N/A, start: 0.000000, bitrate: N/A");
        Assert.Equal(new VideoStreamInfo(640, 480, null), probe.Video);
        Assert.Null(probe.Duration);
        Assert.Null(probe.Audio);
    }
}
