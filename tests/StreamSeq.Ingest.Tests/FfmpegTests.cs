using StreamSeq.Ingest;

namespace StreamSeq.Ingest.Tests;

/// <summary>
/// The ffmpeg helper against the real ffmpeg (scripts/setup.sh installs it) and against fake programs named by
/// <c>STREAMSEQ_FFMPEG</c>, which every launch must honour.
/// </summary>
public sealed class FfmpegTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ingest-ffmpeg-").FullName;
    private readonly string? _previous = Environment.GetEnvironmentVariable(Ffmpeg.ExecutableVariable);

    public FfmpegTests() => Environment.SetEnvironmentVariable(Ffmpeg.ExecutableVariable, null);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(Ffmpeg.ExecutableVariable, _previous);
        Directory.Delete(_dir, recursive: true);
    }

    private string FakeFfmpeg(string body)
    {
        var path = Path.Combine(_dir, "fake-ffmpeg");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        Environment.SetEnvironmentVariable(Ffmpeg.ExecutableVariable, path);
        return path;
    }

    private static async Task<byte[]> ReadAllAsync(FfmpegProcess process)
    {
        using var all = new MemoryStream();
        await process.Output.CopyToAsync(all);
        await process.CompleteAsync();
        return all.ToArray();
    }

    [Fact]
    public async Task STREAMSEQ_FFMPEG_names_the_program_that_decodes_and_gets_the_wanted_format()
    {
        var arguments = Path.Combine(_dir, "arguments");
        // Two 16-bit samples, 0x4000 and 0xC000 (+0.5 and -0.5), as a decoder would write them.
        FakeFfmpeg($"printf '%s\\n' \"$@\" > '{arguments}'\nprintf '\\000\\100\\000\\300'");
        Assert.EndsWith("fake-ffmpeg", Ffmpeg.Executable);

        await using var process = Ffmpeg.DecodeAudio("talk.mp3", 8000, 2);
        Assert.Equal([0x00, 0x40, 0x00, 0xC0], await ReadAllAsync(process));

        var passed = File.ReadAllLines(arguments);
        Assert.Contains("-nostdin", passed);
        Assert.Equal("talk.mp3", passed[Array.IndexOf(passed, "-i") + 1]);
        Assert.Equal("8000", passed[Array.IndexOf(passed, "-ar") + 1]);
        Assert.Equal("2", passed[Array.IndexOf(passed, "-ac") + 1]);
        Assert.Equal("s16le", passed[Array.IndexOf(passed, "-f") + 1]);
    }

    [Fact]
    public async Task A_failing_ffmpeg_fails_completion_with_its_exit_status_and_last_words()
    {
        FakeFfmpeg("echo 'first line' >&2\necho 'talk.mp3: Invalid data found when processing input' >&2\nexit 3");
        await using var process = Ffmpeg.DecodeAudio("talk.mp3", 16000, 1);
        var error = await Assert.ThrowsAsync<FfmpegException>(() => ReadAllAsync(process));
        Assert.Equal("talk.mp3", error.Input);
        Assert.Contains("exit 3", error.Message);
        Assert.Contains("Invalid data found", error.Message);
        Assert.Contains("first line", process.ErrorTail());
    }

    [Fact]
    public void A_program_that_cannot_run_says_how_to_get_one()
    {
        Environment.SetEnvironmentVariable(Ffmpeg.ExecutableVariable, Path.Combine(_dir, "no-such-ffmpeg"));
        var error = Assert.Throws<FfmpegException>(() => Ffmpeg.DecodeVideo("rtsp://camera/stream"));
        Assert.Contains("no-such-ffmpeg", error.Message);
        Assert.Contains(Ffmpeg.ExecutableVariable, error.Message);
        Assert.Equal("rtsp://camera/stream", error.Input);
    }

    [Fact]
    public async Task Disposing_kills_a_process_that_still_runs_and_twice_is_harmless()
    {
        var pidFile = Path.Combine(_dir, "pid");
        FakeFfmpeg($"echo $$ > '{pidFile}.tmp' && mv '{pidFile}.tmp' '{pidFile}'\nexec sleep 600");
        var process = Ffmpeg.DecodeAudio("live", 16000, 1);
        while (!File.Exists(pidFile))
        {
            Assert.False(process.HasExited, process.ErrorTail());
            await Task.Yield();
        }
        var pid = int.Parse(File.ReadAllText(pidFile).Trim());
        Assert.True(Directory.Exists($"/proc/{pid}"));
        await process.DisposeAsync();
        await process.DisposeAsync();
        process.Dispose();
        Assert.False(Directory.Exists($"/proc/{pid}"), "the killed ffmpeg is still there");
    }

    [Fact]
    public async Task Audio_encoded_to_wav_probes_and_decodes_to_the_same_samples()
    {
        var wav = Path.Combine(_dir, "tone.wav");
        var pcm = new byte[8000 / 2 * 2];
        for (var i = 0; i < pcm.Length / 2; i++)
        {
            var sample = (short)(12000 * Math.Sin(2 * Math.PI * 440 * i / 8000.0));
            pcm[2 * i] = (byte)sample;
            pcm[(2 * i) + 1] = (byte)(sample >> 8);
        }
        await using (var encoder = Ffmpeg.Encode(RawMediaFormat.Pcm16(8000, 1), wav))
        {
            await encoder.StandardInput!.WriteAsync(pcm);
            await encoder.CompleteAsync();
        }

        var probe = await Ffmpeg.ProbeAsync(wav);
        Assert.Equal(new AudioStreamInfo(8000, 1), probe.Audio);
        Assert.Null(probe.Video);
        Assert.Equal(0.5, probe.Duration!.Value.TotalSeconds, 2);

        await using var decoder = Ffmpeg.DecodeAudio(wav, 8000, 1);
        Assert.Equal(pcm, await ReadAllAsync(decoder));
    }

    [Fact]
    public async Task Video_encoded_losslessly_probes_and_decodes_to_the_same_frames()
    {
        const int width = 32, height = 24, frames = 5;
        var mkv = Path.Combine(_dir, "clip.mkv");
        var raw = new byte[width * height * 3 * frames];
        for (var i = 0; i < raw.Length; i++)
        {
            raw[i] = (byte)((i * 7) + (i / 97));
        }
        await using (var encoder = Ffmpeg.Encode(RawMediaFormat.Bgr24(width, height, 10), mkv, ["-c:v", "ffv1"]))
        {
            await encoder.StandardInput!.WriteAsync(raw);
            await encoder.CompleteAsync();
        }

        var probe = await Ffmpeg.ProbeAsync(mkv);
        Assert.Equal(new VideoStreamInfo(width, height, 10), probe.Video);
        Assert.Null(probe.Audio);

        await using var decoder = Ffmpeg.DecodeVideo(mkv, ioTimeout: TimeSpan.FromSeconds(30));
        Assert.Equal(new VideoStreamInfo(width, height, 10), await decoder.VideoStream.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.Equal(raw, await ReadAllAsync(decoder));
    }

    [Fact]
    public async Task A_missing_input_fails_with_ffmpegs_reason()
    {
        var missing = Path.Combine(_dir, "missing.mp3");
        var probeError = await Assert.ThrowsAsync<FfmpegException>(() => Ffmpeg.ProbeAsync(missing));
        Assert.Contains("No such file", probeError.Message);
        await using var decoder = Ffmpeg.DecodeAudio(missing, 16000, 1);
        var error = await Assert.ThrowsAsync<FfmpegException>(() => ReadAllAsync(decoder));
        Assert.Contains("No such file", error.Message);
        Assert.Null(await decoder.VideoStream);
    }
}
