using System.Collections.Concurrent;
using OpenCvSharp;
using StreamSeq.Learning;
using StreamSeq.Media;
using StreamSeq.Ocr.Data;
using StreamSeq.Ocr.Model;
using StreamSeq.Ocr.Stages;
using StreamSeq.Ocr.Tests.Support;

namespace StreamSeq.Ocr.Tests.Stages;

public sealed class CollectTranscriptsOptions
{
    public string Name { get; init; } = "";
}

/// <summary>Keeps every transcript it receives under its name.</summary>
[Stage("test.transcripts")]
public sealed class CollectTranscripts : SinkStage<OcrTranscript>
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<OcrTranscript>> Seen = new();
    private readonly CollectTranscriptsOptions _options;

    public CollectTranscripts(CollectTranscriptsOptions options) => _options = options;

    public static IReadOnlyList<OcrTranscript> Of(string name) => [.. Seen.GetOrAdd(name, _ => new())];

    public override ValueTask ConsumeAsync(Packet<OcrTranscript> input, CancellationToken cancellationToken)
    {
        Seen.GetOrAdd(_options.Name, _ => new()).Enqueue(input.Payload);
        return ValueTask.CompletedTask;
    }
}

public sealed class CtcOcrStageTests : IDisposable
{
    private readonly string _folder = OcrTestSupport.TempFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The committed sample images and their texts (samples/ocr/labels.tsv).</summary>
    private static IReadOnlyList<LineSample> Samples() => LineList.Read(OcrTestSupport.PathOf("samples/ocr/labels.tsv"));

    [Fact]
    public void The_default_model_reads_the_committed_samples()
    {
        TorchRuntime.Configure(1, 1);
        using var model = CrnnModel.Load(OcrTestSupport.PathOf("models/ocr"));
        Assert.True(new FileInfo(OcrTestSupport.PathOf("models/ocr/crnn.pt")).Length < 2_000_000);
        foreach (var sample in Samples())
        {
            var (line, reason) = model.Prepare(sample.Image);
            Assert.True(line is not null, reason);
            foreach (var decoding in new[] { new CtcDecoding(model.Alphabet), new CtcDecoding(model.Alphabet, CtcDecoder.Viterbi) })
            {
                var reading = model.Read([line!], decoding)[0];
                Assert.Equal(sample.Text, reading.Text);
                Assert.Equal(sample.Text.Length, reading.Chars.Count);
                // Boxes lie inside the image, left to right.
                using var image = Cv2.ImRead(sample.Image, ImreadModes.Grayscale);
                Assert.All(reading.Chars, c => Assert.True(c.X >= 0 && c.X + c.Width <= image.Width + 2 && c.Y >= 0 && c.Y + c.Height <= image.Height, c.ToString()));
                Assert.Equal(reading.Chars.Select(c => c.X).Order(), reading.Chars.Select(c => c.X));
            }
        }
    }

    [Fact]
    public async Task The_stage_reads_every_frame_and_says_why_a_blank_one_has_no_reading()
    {
        var samples = Samples();
        for (var i = 0; i < samples.Count; i++)
        {
            File.Copy(samples[i].Image, Path.Combine(_folder, $"{i:00}.png"));
        }
        using (var blank = new Mat(40, 160, MatType.CV_8UC1, new Scalar(250)))
        {
            Cv2.ImWrite(Path.Combine(_folder, $"{samples.Count:00}.png"), blank);
        }
        var name = "t" + Guid.NewGuid().ToString("N");
        var result = await OcrTestSupport.RunToEnd($$"""
            { "name": "t", "stages": [
              { "id": "images", "type": "video.source", "options": { "uri": "{{_folder}}/*.png", "grayscale": true } },
              { "id": "read", "type": "ocr.ctc", "input": "images", "options": { "model": "models/ocr", "decoder": "viterbi", "threads": 1 } },
              { "id": "out", "type": "test.transcripts", "input": "read", "options": { "name": "{{name}}" } } ] }
            """);
        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Failures.Select(f => $"{f.StageId}: {f.Error}")));
        var seen = CollectTranscripts.Of(name);
        Assert.Equal(samples.Count + 1, seen.Count);
        Assert.Equal(samples.Select(s => s.Text), seen.Take(samples.Count).Select(t => t.Text));
        Assert.Equal(Enumerable.Range(0, samples.Count + 1).Select(i => (long)i), seen.Select(t => t.Frame));
        Assert.StartsWith("blank image", seen[^1].NoReading);
        Assert.Equal(0, VideoFrame.Live);
        Assert.Equal(0, TensorLedger.Live);
    }

    [Fact]
    public async Task Voting_over_frames_keeps_a_stable_reading_when_one_frame_is_blank()
    {
        var sample = Samples()[0];
        for (var i = 0; i < 5; i++)
        {
            if (i == 2)
            {
                using var blank = new Mat(40, 160, MatType.CV_8UC1, new Scalar(250));
                Cv2.ImWrite(Path.Combine(_folder, $"{i:00}.png"), blank);
            }
            else
            {
                File.Copy(sample.Image, Path.Combine(_folder, $"{i:00}.png"));
            }
        }
        var name = "v" + Guid.NewGuid().ToString("N");
        var result = await OcrTestSupport.RunToEnd($$"""
            { "name": "t", "stages": [
              { "id": "images", "type": "video.source", "options": { "uri": "{{_folder}}/*.png", "grayscale": true } },
              { "id": "read", "type": "ocr.ctc", "input": "images", "options": { "model": "models/ocr", "vote": 3 } },
              { "id": "out", "type": "test.transcripts", "input": "read", "options": { "name": "{{name}}" } } ] }
            """);
        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Failures.Select(f => $"{f.StageId}: {f.Error}")));
        var seen = CollectTranscripts.Of(name);
        Assert.Equal(5, seen.Count);
        // The blank third frame is outvoted by the two before it.
        Assert.All(seen, t => Assert.Equal(sample.Text, t.Text));
        Assert.Equal([1.0, 1.0, 0.6667, 0.6667, 0.6667], seen.Select(t => t.Agreement));
    }

    [Fact]
    public async Task A_charset_outside_the_models_alphabet_fails_the_stage_at_start_naming_it()
    {
        var result = await OcrTestSupport.RunToEnd($$"""
            { "name": "t", "stages": [
              { "id": "images", "type": "video.source", "options": { "uri": "{{OcrTestSupport.PathOf("samples/ocr")}}/*.png", "grayscale": true } },
              { "id": "read", "type": "ocr.ctc", "input": "images", "options": { "model": "models/ocr", "charset": "0123€" } },
              { "id": "out", "type": "test.transcripts", "input": "read", "options": { "name": "unused" } } ] }
            """);
        Assert.False(result.Succeeded);
        var failure = Assert.Single(result.Failures, f => f.StageId == "read");
        Assert.Contains("€", failure.Error.ToString());
        Assert.Equal(0, TensorLedger.Live);
    }
}
