using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StreamSeq.Audio.Wav;
using StreamSeq.Learning;
using StreamSeq.Speech.Decoding;
using StreamSeq.Speech.Model;
using StreamSeq.Speech.Tests.Support;

namespace StreamSeq.Speech.Tests.Stages;

/// <summary>The committed model (models/speech) on the committed sample, live and one-shot.</summary>
public sealed class TranscribeStageTests
{
    private const string Said = "four two seven one";

    [Fact]
    public async Task A_live_tcp_pcm_stream_gives_partial_results_and_one_right_final_transcript_per_utterance()
    {
        var digits = WavReader.ReadFile(Repo.Sample).ToMono().Resample(16000).Samples;
        var random = new Random(3);
        var quiet = Enumerable.Range(0, 12000).Select(_ => (float)(0.001 * ((random.NextDouble() * 2) - 1))).ToArray();
        float[] samples = [.. quiet, .. digits, .. quiet, .. digits, .. quiet];
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            await using var stream = client.GetStream();
            var bytes = new byte[samples.Length * 2];
            for (var i = 0; i < samples.Length; i++)
            {
                BitConverter.TryWriteBytes(bytes.AsSpan(2 * i), (short)Math.Clamp(samples[i] * 32767, -32768, 32767));
            }
            for (var at = 0; at < bytes.Length; at += 640)
            {
                await stream.WriteAsync(bytes.AsMemory(at, Math.Min(640, bytes.Length - at)));
            }
        });
        var name = $"live-{Guid.NewGuid():N}";
        var before = TensorLedger.Live;
        var result = await SpeechPipelines.RunToEnd($$"""
            {
              "name": "live-asr",
              "stages": [
                { "id": "mic", "type": "audio.source", "options": { "uri": "tcp://127.0.0.1:{{port}}", "reconnect": false, "chunk": "20ms" } },
                { "id": "vad", "type": "audio.vad", "input": "mic", "options": { "partialInterval": "300ms" } },
                { "id": "asr", "type": "speech.transcribe", "input": "vad", "options": { "model": "models/speech" } },
                { "id": "out", "type": "test.transcripts", "input": "asr", "options": { "name": "{{name}}" } }
              ]
            }
            """);
        await server;

        Assert.True(result.Succeeded, string.Join("; ", result.Failures));
        Assert.Equal(before, TensorLedger.Live);
        var transcripts = TranscriptGrab.Of(name).ToList();
        var finals = transcripts.Where(t => t.Final).ToList();
        Assert.Equal(2, finals.Count);
        Assert.All(finals, f => Assert.Equal(Said, f.Text));
        Assert.True(transcripts.Count(t => !t.Final) >= 2, $"{transcripts.Count(t => !t.Final)} partial results");
        foreach (var final in finals)
        {
            Assert.Equal(4, final.Words.Count);
            Assert.All(final.Words, w => Assert.InRange(w.Start, final.Start, final.End));
            Assert.True(final.Words.Zip(final.Words.Skip(1)).All(p => p.First.End <= p.Second.Start + 1e-9 && p.First.Start < p.Second.Start));
            Assert.All(final.Words, w => Assert.InRange(w.Confidence, 0.0, 1.0));
        }
        // The second utterance starts after the first on the stream's clock.
        Assert.True(finals[1].Start > finals[0].End);
    }

    [Fact]
    public async Task The_committed_sample_is_transcribed_right_by_every_decoder_and_from_a_video_file()
    {
        using var model = SpeechModel.Load(Repo.Model);
        foreach (var decoder in Enum.GetValues<SpeechDecoder>())
        {
            var transcript = await new FileTranscriber(model, new SpeechDecoding(decoder)).TranscribeAsync(Repo.Sample);
            Assert.True(transcript.Text == Said, $"{decoder}: '{transcript.Text}'");
        }
        // The audio track of a video, decoded by ffmpeg, at 44.1 kHz stereo.
        var video = Path.Combine(Path.GetTempPath(), $"speech-{Guid.NewGuid():N}.mp4");
        try
        {
            using (var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg", ["-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=gray:s=64x48:d=3", "-i", Repo.Sample,
                "-ac", "2", "-ar", "44100", "-c:v", "libx264", "-c:a", "aac", "-shortest", video]) { RedirectStandardError = true })!)
            {
                await ffmpeg.WaitForExitAsync();
                Assert.True(ffmpeg.ExitCode == 0, await ffmpeg.StandardError.ReadToEndAsync());
            }
            var fromVideo = await new FileTranscriber(model, new SpeechDecoding(SpeechDecoder.CtcBeam)).TranscribeAsync(video);
            Assert.Equal(Said, fromVideo.Text);
        }
        finally
        {
            File.Delete(video);
        }
    }

    [Fact]
    public void An_unknown_decoder_is_a_pipeline_error_naming_the_stage()
    {
        var diagnostics = SpeechPipelines.Diagnose("""
            {
              "name": "bad",
              "stages": [
                { "id": "mic", "type": "audio.source", "options": { "uri": "samples/digits-4271.wav" } },
                { "id": "vad", "type": "audio.vad", "input": "mic" },
                { "id": "asr", "type": "speech.transcribe", "input": "vad", "options": { "model": "models/speech", "decoder": "telepathy" } }
              ]
            }
            """);
        var error = Assert.Single(diagnostics, d => d.Message.Contains("telepathy"));
        Assert.Contains("asr", error.ToString());
    }

    [Fact]
    public async Task A_corrupt_file_is_an_error_naming_it()
    {
        var path = Path.Combine(Path.GetTempPath(), $"corrupt-{Guid.NewGuid():N}.wav");
        await File.WriteAllBytesAsync(path, [.. "RIFF"u8.ToArray(), 1, 2, 3]);
        try
        {
            using var model = SpeechModel.Load(Repo.Model);
            var e = await Assert.ThrowsAsync<AudioFormatException>(() => new FileTranscriber(model, new SpeechDecoding()).TranscribeAsync(path));
            Assert.Contains(path, e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
