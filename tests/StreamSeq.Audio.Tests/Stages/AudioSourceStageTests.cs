using System.Net;
using System.Net.Sockets;
using StreamSeq.Audio.Stages;
using StreamSeq.Audio.Tests.Support;
using StreamSeq.Audio.Wav;
using static StreamSeq.Audio.Tests.Support.AudioPipelines;

namespace StreamSeq.Audio.Tests.Stages;

public sealed class AudioSourceStageTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static List<(AudioChunk Chunk, DateTime Time)> Chunks(string name)
        => [.. Grab(name).Select(x => ((AudioChunk)x.Payload, x.Time))];

    private static IEnumerable<(object Payload, DateTime Time)> Grab(string name) => GrabSink.Of(name);

    private static string Pipeline(string name, string sourceOptions) => $$"""
        {
          "name": "audio-test",
          "stages": [
            { "id": "mic", "type": "audio.source", "options": {{sourceOptions}} },
            { "id": "out", "type": "test.grab", "input": "mic", "options": { "name": "{{name}}" } }
          ]
        }
        """;

    [Fact]
    public async Task A_stereo_wav_at_44k_becomes_timed_mono_chunks_at_16k()
    {
        var path = _dir.File("stereo.wav");
        var frames = 44100 * 2;
        WavWriter.WriteFile(path, new AudioBuffer(Signals.Interleave(Signals.Sine(440, 44100, frames, 0.6), Signals.Sine(440, 44100, frames, 0.2)), 44100, 2), WavSampleFormat.Pcm24);
        var name = Unique("wav");
        var result = await RunToEnd(Pipeline(name, $$"""{ "uri": {{Quote(path)}}, "chunk": "100ms", "start": "2026-01-01T00:00:00Z" }"""));

        Assert.True(result.Succeeded, string.Join("; ", result.Failures));
        var chunks = Chunks(name);
        Assert.Equal(20, chunks.Count);
        Assert.All(chunks, c => Assert.Equal((16000, 1), (c.Chunk.SampleRate, c.Chunk.Channels)));
        Assert.Equal(32000, chunks.Sum(c => c.Chunk.Frames));
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < chunks.Count; i++)
        {
            Assert.Equal(i * 1600L, chunks[i].Chunk.StartSample);
            Assert.Equal(start.AddMilliseconds(100 * i), chunks[i].Time);
        }
        var all = chunks.SelectMany(c => c.Chunk.Samples).ToArray();
        Assert.InRange(Signals.Rms(all.AsSpan(1600, 28000)), 0.4 / Math.Sqrt(2) * 0.99, 0.4 / Math.Sqrt(2) * 1.01);
        Assert.InRange(Signals.PeakFrequency(all.AsSpan(1600, 16000), 16000, 400, 480, 0.5), 439.5, 440.5);
    }

    [Fact]
    public async Task The_audio_track_of_a_video_file_is_decoded_through_ffmpeg()
    {
        var video = _dir.File("clip.mp4");
        Tools.Run("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "testsrc=size=64x48:rate=10", "-f", "lavfi", "-i", "sine=frequency=660:sample_rate=44100",
            "-t", "1.5", "-c:v", "mpeg4", "-c:a", "aac", "-shortest", video);
        var name = Unique("video");
        var result = await RunToEnd(Pipeline(name, $$"""{ "uri": {{Quote(video)}} }"""));

        Assert.True(result.Succeeded, string.Join("; ", result.Failures));
        var all = Chunks(name).SelectMany(c => c.Chunk.Samples).ToArray();
        Assert.InRange(all.Length, 16000 * 1.4, 16000 * 1.6);
        Assert.InRange(Signals.PeakFrequency(all.AsSpan(4000, 8000), 16000, 600, 720, 0.5), 659, 661);
    }

    [Fact]
    public async Task A_corrupt_file_fails_the_source_with_its_name()
    {
        var path = _dir.File("broken.wav");
        var good = _dir.File("good.wav");
        WavWriter.WriteFile(good, new AudioBuffer(Signals.Sine(440, 16000, 16000), 16000));
        File.WriteAllBytes(path, File.ReadAllBytes(good)[..5000]);
        var result = await RunToEnd(Pipeline(Unique("broken"), $$"""{ "uri": {{Quote(path)}} }"""));
        Assert.False(result.Succeeded);
        var failure = Assert.Single(result.Failures);
        Assert.Equal("mic", failure.StageId);
        Assert.Contains(path, failure.Error.Message);
        Assert.Contains("truncated", failure.Error.Message);
    }

    [Fact]
    public async Task A_file_ffmpeg_cannot_read_fails_with_its_message()
    {
        var path = _dir.File("not-media.mp4");
        File.WriteAllText(path, "this is not a video");
        var result = await RunToEnd(Pipeline(Unique("junk"), $$"""{ "uri": {{Quote(path)}} }"""));
        Assert.False(result.Succeeded);
        var failure = Assert.Single(result.Failures);
        Assert.Contains(path, failure.Error.Message);
        Assert.Contains("ffmpeg failed", failure.Error.Message);
    }

    [Fact]
    public async Task Raw_pcm_from_a_tcp_server_arrives_as_live_chunks()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var signal = Signals.Sine(500, 8000, 8000, 0.5); // 1 s at 8 kHz, sent as s16le
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            await using var stream = client.GetStream();
            var bytes = new byte[signal.Length * 2];
            for (var i = 0; i < signal.Length; i++)
            {
                BitConverter.TryWriteBytes(bytes.AsSpan(2 * i), (short)(signal[i] * 32767));
            }
            // Uneven pieces, as a network delivers them.
            for (var at = 0; at < bytes.Length; at += 999)
            {
                await stream.WriteAsync(bytes.AsMemory(at, Math.Min(999, bytes.Length - at)));
            }
        });
        var name = Unique("tcp");
        var result = await RunToEnd(Pipeline(name, $$"""{ "uri": "tcp://127.0.0.1:{{port}}", "inputSampleRate": 8000, "reconnect": false }"""));
        await server;

        Assert.True(result.Succeeded, string.Join("; ", result.Failures));
        var all = Chunks(name).SelectMany(c => c.Chunk.Samples).ToArray();
        Assert.Equal(16000, all.Length);
        Assert.InRange(Signals.PeakFrequency(all.AsSpan(2000, 8000), 16000, 450, 550, 0.5), 499.5, 500.5);
    }

    [Fact]
    public async Task Raw_pcm_on_standard_input_is_read_to_its_end()
    {
        var signal = Signals.Sine(700, 16000, 4000, 0.5);
        var bytes = new byte[signal.Length * 4];
        for (var i = 0; i < signal.Length; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(4 * i), signal[i]);
        }
        var previous = AudioSourceStage.StandardInput;
        AudioSourceStage.StandardInput = () => new MemoryStream(bytes);
        try
        {
            var name = Unique("stdin");
            var result = await RunToEnd(Pipeline(name, """{ "uri": "-", "inputEncoding": "f32le" }"""));
            Assert.True(result.Succeeded, string.Join("; ", result.Failures));
            Assert.Equal(signal, Chunks(name).SelectMany(c => c.Chunk.Samples));
        }
        finally
        {
            AudioSourceStage.StandardInput = previous;
        }
    }

    [Fact]
    public async Task A_dropped_tcp_stream_is_reconnected_and_marked_as_a_discontinuity()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            for (var connection = 0; connection < 2; connection++)
            {
                using var client = await listener.AcceptTcpClientAsync();
                await using var stream = client.GetStream();
                await stream.WriteAsync(new byte[3200 * 2]); // 200 ms of silence at 16 kHz
            }
            listener.Stop(); // no third connection: the source gives up
        });
        var name = Unique("reconnect");
        var result = await RunToEnd(Pipeline(name, $$"""{ "uri": "tcp://127.0.0.1:{{port}}", "reconnectDelay": "20ms", "maxReconnectDelay": "40ms", "maxReconnects": 2 }"""));
        await server;

        Assert.False(result.Succeeded);
        Assert.Contains("gave up", Assert.Single(result.Failures).Error.Message);
        var chunks = Chunks(name);
        Assert.Equal(6400, chunks.Sum(c => c.Chunk.Frames));
        Assert.Equal(1, chunks.Count(c => c.Chunk.Discontinuity));
        var resumed = chunks.First(c => c.Chunk.Discontinuity);
        Assert.Equal(3200, resumed.Chunk.StartSample);
        // Media time never goes backwards.
        Assert.True(chunks.Zip(chunks.Skip(1), (a, b) => b.Time >= a.Time).All(x => x));
    }

    [Fact]
    public async Task Looping_a_file_continues_media_time()
    {
        var path = _dir.File("short.wav");
        WavWriter.WriteFile(path, new AudioBuffer(Signals.Sine(300, 16000, 1600), 16000));
        var name = Unique("loop");
        await using var run = StreamSeq.Runtime.PipelineRun.Start(Plan(Pipeline(name, $$"""{ "uri": {{Quote(path)}}, "loop": true, "chunk": "50ms", "start": "2026-01-01T00:00:00Z" }""")));
        while (GrabSink.Of(name).Count < 10)
        {
            await Task.Delay(10);
        }
        await run.StopAsync(TimeSpan.FromSeconds(5));
        var chunks = Chunks(name);
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(800L * i, chunks[i].Chunk.StartSample);
            Assert.Equal(start.AddMilliseconds(50 * i), chunks[i].Time);
        }
    }

    [Fact]
    public void Options_are_checked_before_anything_starts()
    {
        var problems = Diagnose(Pipeline("x", """{ "uri": "tcp://nohost", "loop": true, "chunk": "0ms", "pace": "fast" }""")).Select(d => d.Message).ToList();
        Assert.Contains(problems, p => p.Contains("tcp://host:port"));
        Assert.Contains(problems, p => p.Contains("'loop' applies to files only"));
        Assert.Contains(problems, p => p.Contains("pace"));
    }
}
