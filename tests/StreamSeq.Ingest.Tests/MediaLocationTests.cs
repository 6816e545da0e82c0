using StreamSeq.Ingest;

namespace StreamSeq.Ingest.Tests;

public sealed class MediaLocationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ingest-location-").FullName;

    public MediaLocationTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "frames"));
        File.WriteAllBytes(Path.Combine(_dir, "frames", "b.png"), []);
        File.WriteAllBytes(Path.Combine(_dir, "frames", "a.png"), []);
        File.WriteAllBytes(Path.Combine(_dir, "frames", "notes.txt"), []);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string, MediaLocationForms, MediaKind, bool> Table => new()
    {
        // Files, relative or file://, whatever reads them.
        { "clip.mp4", MediaLocationForms.Video, MediaKind.File, false },
        { "talk.wav", MediaLocationForms.Audio, MediaKind.File, false },
        { "file:///tmp/clip.mp4", MediaLocationForms.Video, MediaKind.File, false },
        // Folders and globs are image sequences where images are read, files elsewhere.
        { "frames", MediaLocationForms.Video, MediaKind.ImageSequence, false },
        { "frames/*.png", MediaLocationForms.Video, MediaKind.ImageSequence, false },
        { "frames/*.png", MediaLocationForms.Audio, MediaKind.File, false },
        // Cameras where devices are read.
        { "0", MediaLocationForms.Video, MediaKind.Device, true },
        { "/dev/video2", MediaLocationForms.Video, MediaKind.Device, true },
        { "0", MediaLocationForms.Audio, MediaKind.File, false },
        // Network URLs; tcp:// is raw PCM only where the reader takes it.
        { "rtsp://user:secret@camera/stream", MediaLocationForms.Video, MediaKind.Network, true },
        { "http://radio.example/live.mp3", MediaLocationForms.Audio, MediaKind.Network, true },
        { "udp://239.0.0.1:1234", MediaLocationForms.Video, MediaKind.Network, true },
        { "tcp://127.0.0.1:9000", MediaLocationForms.Video, MediaKind.Network, true },
        { "tcp://127.0.0.1:9000", MediaLocationForms.Audio, MediaKind.TcpPcm, true },
        // Standard input where the reader takes it.
        { "-", MediaLocationForms.Audio, MediaKind.Stdin, false },
        { "stdin", MediaLocationForms.Audio, MediaKind.Stdin, false },
        { "-", MediaLocationForms.Video, MediaKind.File, false },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Classifies_each_form_of_location(string uri, MediaLocationForms forms, MediaKind kind, bool live)
    {
        var location = MediaLocation.Parse(uri, _dir, forms);
        Assert.Equal(kind, location.Kind);
        Assert.Equal(live, location.IsLive);
    }

    [Fact]
    public void Relative_paths_resolve_against_the_base_folder_and_urls_stay_as_written()
    {
        Assert.Equal(Path.Combine(_dir, "clip.mp4"), MediaLocation.Parse(" clip.mp4 ", _dir).Target);
        Assert.Equal("/tmp/clip.mp4", MediaLocation.Parse("file:///tmp/clip.mp4", _dir).Target);
        Assert.Equal("rtsp://user:secret@camera/stream", MediaLocation.Parse("rtsp://user:secret@camera/stream", _dir).Target);
        Assert.Equal("/dev/video3", MediaLocation.Parse("3", _dir).Target);
        Assert.Equal(3, MediaLocation.Parse("3", _dir).DeviceIndex);
    }

    [Fact]
    public void Credentials_never_reach_the_display_name()
    {
        var shown = MediaLocation.Parse("rtsp://user:secret@camera/stream", _dir).ToString();
        Assert.DoesNotContain("secret", shown);
        Assert.Contains("camera/stream", shown);
    }

    [Fact]
    public void A_tcp_pcm_location_gives_its_endpoint_and_one_without_a_port_does_not()
    {
        Assert.True(MediaLocation.Parse("tcp://127.0.0.1:9000", _dir, MediaLocationForms.Audio).TryGetTcpEndpoint(out var host, out var port));
        Assert.Equal(("127.0.0.1", 9000), (host, port));
        Assert.False(MediaLocation.Parse("tcp://127.0.0.1", _dir, MediaLocationForms.Audio).TryGetTcpEndpoint(out _, out _));
        Assert.False(MediaLocation.Parse("rtsp://camera:554/x", _dir).TryGetTcpEndpoint(out _, out _));
    }

    [Fact]
    public void An_image_sequence_lists_its_images_in_name_order_and_audio_files_are_known_by_extension()
    {
        var files = MediaLocation.Parse("frames", _dir).ImageFiles();
        Assert.Equal(["a.png", "b.png"], files.Select(Path.GetFileName));
        Assert.True(MediaLocation.Parse("Talk.MP3", _dir).IsAudioFile);
        Assert.False(MediaLocation.Parse("clip.mp4", _dir).IsAudioFile);
    }

    [Fact]
    public void Missing_things_are_named_before_any_decoder_runs()
    {
        Assert.Throws<FileNotFoundException>(() => MediaLocation.Parse("gone.mp4", _dir).ThrowIfMissing());
        Assert.Throws<FileNotFoundException>(() => MediaLocation.Parse("frames/*.jpg", _dir).ThrowIfMissing());
        MediaLocation.Parse("frames", _dir).ThrowIfMissing();
    }
}
