using OpenCvSharp;
using StreamSeq.Learning;
using StreamSeq.Media;
using StreamSeq.Ocr.Data;
using StreamSeq.Ocr.Model;
using StreamSeq.Ocr.Segmentation;
using StreamSeq.Ocr.Tests.Support;

namespace StreamSeq.Ocr.Tests.Stages;

/// <summary><c>lattice.build</c> → <c>lattice.decode</c> in pipelines: both recognisers, constraints, n-best and
/// union across frames; and the new constraint options of <c>ocr.ctc</c>.</summary>
public sealed class LatticeStageTests : IDisposable
{
    private readonly string _folder = OcrTestSupport.TempFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static IReadOnlyList<LineSample> Samples() => LineList.Read(OcrTestSupport.PathOf("samples/ocr/labels.tsv"));

    private void WriteBlank(string name)
    {
        using var blank = new Mat(40, 160, MatType.CV_8UC1, new Scalar(250));
        Cv2.ImWrite(Path.Combine(_folder, name), blank);
    }

    private static string Fail(StreamSeq.Runtime.PipelineResult result) =>
        string.Join(Environment.NewLine, result.Failures.Select(f => $"{f.StageId}: {f.Error}"));

    [Fact]
    public async Task Built_CRNN_lattices_decode_to_the_samples_texts_with_n_best_and_a_reason_for_a_blank_frame()
    {
        var samples = Samples();
        for (var i = 0; i < samples.Count; i++)
        {
            File.Copy(samples[i].Image, Path.Combine(_folder, $"{i:00}.png"));
        }
        WriteBlank($"{samples.Count:00}.png");
        var name = "l" + Guid.NewGuid().ToString("N");
        var result = await OcrTestSupport.RunToEnd($$"""
            { "name": "t", "stages": [
              { "id": "images", "type": "video.source", "options": { "uri": "{{_folder}}/*.png", "grayscale": true } },
              { "id": "lattice", "type": "lattice.build", "input": "images", "options": { "model": "models/ocr" } },
              { "id": "read", "type": "lattice.decode", "input": "lattice", "options": { "nbest": 3 } },
              { "id": "out", "type": "test.transcripts", "input": "read", "options": { "name": "{{name}}" } } ] }
            """);
        Assert.True(result.Succeeded, Fail(result));
        var seen = CollectTranscripts.Of(name);
        Assert.Equal(samples.Count + 1, seen.Count);
        Assert.Equal(samples.Select(s => s.Text), seen.Take(samples.Count).Select(t => t.Text));
        Assert.All(seen.Take(samples.Count), t =>
        {
            Assert.Equal("crnn-ctc/viterbi", t.Method);
            Assert.Equal(3, t.NBest!.Count);
            Assert.Equal(t.Text, t.NBest[0].Text);
            Assert.Equal(t.Text.Length, t.Chars.Count);
        });
        Assert.StartsWith("blank image", seen[^1].NoReading);
        Assert.Equal(0, VideoFrame.Live);
        Assert.Equal(0, TensorLedger.Live);
    }

    [Fact]
    public async Task A_segmentation_lattice_under_a_pattern_reads_what_the_model_reads_directly()
    {
        var sample = Samples().First(s => s.Text.All(char.IsAsciiDigit));
        File.Copy(sample.Image, Path.Combine(_folder, "00.png"));
        TorchRuntime.Configure(1, 1);
        string expected;
        using (var model = SegmentModel.Load(OcrTestSupport.PathOf("models/ocr-segment-seq")))
        {
            var (line, _) = model.Prepare(sample.Image);
            expected = model.Read(line!, OcrConstraints.Build(model.Alphabet, pattern: "[0-9]{6}")).Text;
        }
        var name = "s" + Guid.NewGuid().ToString("N");
        var result = await OcrTestSupport.RunToEnd($$"""
            { "name": "t", "stages": [
              { "id": "images", "type": "video.source", "options": { "uri": "{{_folder}}/*.png", "grayscale": true } },
              { "id": "lattice", "type": "lattice.build", "input": "images", "options": { "model": "models/ocr-segment-seq" } },
              { "id": "read", "type": "lattice.decode", "input": "lattice", "options": { "pattern": "[0-9]{6}" } },
              { "id": "out", "type": "test.transcripts", "input": "read", "options": { "name": "{{name}}" } } ] }
            """);
        Assert.True(result.Succeeded, Fail(result));
        var transcript = Assert.Single(CollectTranscripts.Of(name));
        Assert.Equal(expected, transcript.Text);
        Assert.Equal("segment/viterbi+pattern", transcript.Method);
        Assert.Equal(6, transcript.Chars.Count);
    }

    [Fact]
    public async Task A_lattice_union_over_frames_keeps_reading_the_line_through_a_blank_frame()
    {
        var sample = Samples()[0];
        for (var i = 0; i < 5; i++)
        {
            if (i == 2)
            {
                WriteBlank($"{i:00}.png");
            }
            else
            {
                File.Copy(sample.Image, Path.Combine(_folder, $"{i:00}.png"));
            }
        }
        var name = "u" + Guid.NewGuid().ToString("N");
        var result = await OcrTestSupport.RunToEnd($$"""
            { "name": "t", "stages": [
              { "id": "images", "type": "video.source", "options": { "uri": "{{_folder}}/*.png", "grayscale": true } },
              { "id": "lattice", "type": "lattice.build", "input": "images", "options": { "model": "models/ocr" } },
              { "id": "read", "type": "lattice.decode", "input": "lattice", "options": { "union": 3, "nbest": 2 } },
              { "id": "out", "type": "test.transcripts", "input": "read", "options": { "name": "{{name}}" } } ] }
            """);
        Assert.True(result.Succeeded, Fail(result));
        var seen = CollectTranscripts.Of(name);
        Assert.Equal(5, seen.Count);
        // The blank third frame adds nothing to the union: the two frames before it still give the reading.
        Assert.All(seen, t => Assert.Equal(sample.Text, t.Text));
        Assert.All(seen, t => Assert.Equal("crnn-ctc/viterbi/union3", t.Method));
        Assert.All(seen, t => Assert.Equal(sample.Text.Length, t.Chars.Count));
        Assert.Equal([1.0, 1.0, 0.6667, 0.6667, 0.6667], seen.Select(t => t.Agreement));
        Assert.All(seen, t => Assert.Equal(2, t.NBest!.Count));
    }

    [Fact]
    public async Task Ocr_ctc_takes_a_pattern_and_n_best_and_a_bad_pattern_fails_the_stage_at_start()
    {
        var sample = Samples().First(s => s.Text.All(char.IsAsciiDigit));
        File.Copy(sample.Image, Path.Combine(_folder, "00.png"));
        var name = "p" + Guid.NewGuid().ToString("N");
        var result = await OcrTestSupport.RunToEnd($$"""
            { "name": "t", "stages": [
              { "id": "images", "type": "video.source", "options": { "uri": "{{_folder}}/*.png", "grayscale": true } },
              { "id": "read", "type": "ocr.ctc", "input": "images", "options": { "model": "models/ocr", "pattern": "[0-9]{3,8}", "nbest": 2 } },
              { "id": "out", "type": "test.transcripts", "input": "read", "options": { "name": "{{name}}" } } ] }
            """);
        Assert.True(result.Succeeded, Fail(result));
        var transcript = Assert.Single(CollectTranscripts.Of(name));
        Assert.Equal(sample.Text, transcript.Text);
        Assert.Equal("crnn-ctc/viterbi+pattern", transcript.Method);
        Assert.Equal(2, transcript.NBest!.Count);

        var bad = await OcrTestSupport.RunToEnd($$"""
            { "name": "t", "stages": [
              { "id": "images", "type": "video.source", "options": { "uri": "{{_folder}}/*.png", "grayscale": true } },
              { "id": "read", "type": "ocr.segment", "input": "images", "options": { "model": "models/ocr-segment-seq", "pattern": "[0-9]{2,}(" } },
              { "id": "out", "type": "test.transcripts", "input": "read", "options": { "name": "unused" } } ] }
            """);
        Assert.False(bad.Succeeded);
        var failure = Assert.Single(bad.Failures, f => f.StageId == "read");
        Assert.Contains("pattern", failure.Error.ToString());
        Assert.Contains("'(' without a matching ')'", failure.Error.ToString());
        Assert.Equal(0, TensorLedger.Live);
    }
}
