using StreamSeq.Audio.Stages;
using StreamSeq.Audio.Tests.Support;
using StreamSeq.Audio.Vad;
using StreamSeq.Audio.Wav;
using static StreamSeq.Audio.Tests.Support.AudioPipelines;

namespace StreamSeq.Audio.Tests.Stages;

public sealed class AudioPipelineTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Source_vad_and_features_turn_a_recording_into_utterance_features()
    {
        // Two spoken digit strings with a second of quiet between them.
        var digits = WavReader.ReadFile(Path.Combine(Repo.Root, "samples", "digits-4271.wav")).ToMono();
        var quiet = Signals.Noise(16000, 0.001, 1);
        float[] samples = [.. quiet, .. digits.Samples, .. quiet, .. digits.Samples, .. quiet];
        var path = _dir.File("two.wav");
        WavWriter.WriteFile(path, new AudioBuffer(samples, 16000));
        var events = Unique("events");
        var features = Unique("features");
        var result = await RunToEnd($$"""
            {
              "name": "utterances",
              "stages": [
                { "id": "mic", "type": "audio.source", "options": { "uri": {{Quote(path)}} } },
                { "id": "vad", "type": "audio.vad", "input": "mic" },
                { "id": "feats", "type": "audio.features", "input": "vad", "options": { "kind": "mfcc", "normalization": "utterance" } },
                { "id": "e", "type": "test.grab", "input": "vad", "options": { "name": "{{events}}" } },
                { "id": "f", "type": "test.grab", "input": "feats", "options": { "name": "{{features}}" } }
              ]
            }
            """);

        Assert.True(result.Succeeded, string.Join("; ", result.Failures));
        var ends = GrabSink.Of(events).Select(x => (UtteranceEvent)x.Payload).Where(e => e.Kind == UtteranceEventKind.End).ToList();
        Assert.Equal(2, ends.Count);
        var finals = GrabSink.Of(features).Select(x => (FeatureChunk)x.Payload).Where(f => f.UtteranceEvent == UtteranceEventKind.End).ToList();
        Assert.Equal(2, finals.Count);
        foreach (var (end, final) in ends.Zip(finals))
        {
            Assert.Equal(end.UtteranceId, final.UtteranceId);
            Assert.Equal(13, final.Features.Bins);
            // Per-utterance features cover the whole utterance: 1 + (samples - 400) / 160 frames.
            Assert.Equal(1 + ((end.Audio.Length - 400) / 160), final.Features.Frames);
        }
    }

    [Fact]
    public async Task A_live_tcp_stream_gives_partial_and_final_utterance_events()
    {
        var digits = WavReader.ReadFile(Path.Combine(Repo.Root, "samples", "digits-4271.wav")).ToMono();
        var quiet = Signals.Noise(12000, 0.001, 3);
        float[] samples = [.. quiet, .. digits.Samples, .. quiet, .. digits.Samples, .. quiet];
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            await using var stream = client.GetStream();
            var bytes = new byte[samples.Length * 2];
            for (var i = 0; i < samples.Length; i++)
            {
                BitConverter.TryWriteBytes(bytes.AsSpan(2 * i), (short)Math.Clamp(samples[i] * 32767, -32768, 32767));
            }
            // 20 ms packets, as a live sender writes them.
            for (var at = 0; at < bytes.Length; at += 640)
            {
                await stream.WriteAsync(bytes.AsMemory(at, Math.Min(640, bytes.Length - at)));
            }
        });
        var name = Unique("live");
        var result = await RunToEnd($$"""
            {
              "name": "live",
              "stages": [
                { "id": "mic", "type": "audio.source", "options": { "uri": "tcp://127.0.0.1:{{port}}", "reconnect": false, "chunk": "20ms" } },
                { "id": "vad", "type": "audio.vad", "input": "mic", "options": { "partialInterval": "300ms" } },
                { "id": "e", "type": "test.grab", "input": "vad", "options": { "name": "{{name}}" } }
              ]
            }
            """);
        await server;

        Assert.True(result.Succeeded, string.Join("; ", result.Failures));
        var events = GrabSink.Of(name).Select(x => (UtteranceEvent)x.Payload).ToList();
        foreach (var id in new[] { 0L, 1L })
        {
            var mine = events.Where(e => e.UtteranceId == id).Select(e => e.Kind).ToList();
            Assert.Equal(UtteranceEventKind.Start, mine[0]);
            Assert.Equal(UtteranceEventKind.End, mine[^1]);
            Assert.InRange(mine.Count(k => k == UtteranceEventKind.Partial), 3, 6);
        }
        Assert.Equal(2, events.Count(e => e.Kind == UtteranceEventKind.End));
    }

    [Fact]
    public async Task Streaming_features_of_chunks_cover_the_stream_frame_by_frame()
    {
        var path = _dir.File("tone.wav");
        WavWriter.WriteFile(path, new AudioBuffer(Signals.Sine(1000, 16000, 16000), 16000));
        var name = Unique("stream-features");
        var result = await RunToEnd($$"""
            {
              "name": "features",
              "stages": [
                { "id": "mic", "type": "audio.source", "options": { "uri": {{Quote(path)}}, "chunk": "30ms" } },
                { "id": "feats", "type": "audio.features", "input": "mic", "options": { "melBins": 64 } },
                { "id": "f", "type": "test.grab", "input": "feats", "options": { "name": "{{name}}" } }
              ]
            }
            """);
        Assert.True(result.Succeeded, string.Join("; ", result.Failures));
        var chunks = GrabSink.Of(name).Select(x => (FeatureChunk)x.Payload).ToList();
        Assert.Equal(1 + ((16000 - 400) / 160), chunks.Sum(c => c.Features.Frames));
        long next = 0;
        foreach (var c in chunks)
        {
            Assert.Equal(next, c.StartFrame);
            next += c.Features.Frames;
        }
    }

    [Fact]
    public async Task Features_refuse_audio_at_another_rate_with_advice()
    {
        var path = _dir.File("8k.wav");
        WavWriter.WriteFile(path, new AudioBuffer(Signals.Sine(1000, 8000, 8000), 8000));
        var result = await RunToEnd($$"""
            {
              "name": "features",
              "stages": [
                { "id": "mic", "type": "audio.source", "options": { "uri": {{Quote(path)}}, "sampleRate": 8000 } },
                { "id": "feats", "type": "audio.features", "input": "mic" },
                { "id": "f", "type": "test.grab", "input": "feats", "options": { "name": "{{Unique("x")}}" } }
              ]
            }
            """);
        Assert.False(result.Succeeded);
        Assert.Contains("8000 Hz", Assert.Single(result.Failures).Error.Message);
    }
}
