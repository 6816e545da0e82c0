using System.Diagnostics;
using StreamSeq.Ocr.Data;

namespace StreamSeq.Ocr.Model;

/// <summary>Readings of a list of lines by one method, with their scores.</summary>
/// <param name="Method">Recogniser and decoder.</param>
/// <param name="Metrics">Error rates and throughput.</param>
/// <param name="Texts">What was read, per line (null: no reading).</param>
public sealed record MethodResult(string Method, OcrMetrics Metrics, IReadOnlyList<string?> Texts);

/// <summary>Runs recognisers over labelled lines and scores them.</summary>
public static class OcrEvaluator
{
    /// <summary>Reads every line with the CRNN and <paramref name="decoding"/>, in batches, image loading included in the time.</summary>
    /// <param name="model">The recogniser.</param>
    /// <param name="samples">Labelled lines.</param>
    /// <param name="decoding">Decoder and constraints.</param>
    /// <param name="batchSize">Lines per network call.</param>
    /// <param name="threads">Threads reading at once (<see cref="CrnnModel.ReadFiles"/>).</param>
    public static MethodResult EvaluateCrnn(CrnnModel model, IReadOnlyList<LineSample> samples, CtcDecoding decoding, int batchSize = 32, int threads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var clock = Stopwatch.StartNew();
        var readings = model.ReadFiles([.. samples.Select(s => s.Image)], decoding, batchSize, threads);
        var texts = readings.Select(r => r.HasReading ? r.Text : null).ToArray();
        var seconds = clock.Elapsed.TotalSeconds;
        return new MethodResult(CrnnModel.MethodName(decoding), OcrMetrics.Score([.. samples.Select(s => s.Text)], texts, seconds), texts);
    }

    /// <summary>Reads every line with the segmentation recogniser (Viterbi over its lattice).</summary>
    public static MethodResult EvaluateSegment(Segmentation.SegmentModel model, IReadOnlyList<LineSample> samples, string method = "segment/viterbi", OcrConstraints? constraints = null)
    {
        var clock = Stopwatch.StartNew();
        var texts = new string?[samples.Count];
        for (var i = 0; i < samples.Count; i++)
        {
            var (line, _) = model.Prepare(samples[i].Image);
            if (line is not null && model.Read(line, constraints ?? OcrConstraints.None) is { HasReading: true } reading)
            {
                texts[i] = reading.Text;
            }
        }
        var seconds = clock.Elapsed.TotalSeconds;
        return new MethodResult(method, OcrMetrics.Score([.. samples.Select(s => s.Text)], texts, seconds), texts);
    }

    /// <summary>Reads every line with Tesseract (the list split between <paramref name="processes"/> processes run at once).</summary>
    public static MethodResult EvaluateTesseract(IReadOnlyList<LineSample> samples, string? whitelist, string scratch, int threads = 0, int processes = 1)
    {
        var clock = Stopwatch.StartNew();
        var texts = Tesseract.Read([.. samples.Select(s => s.Image)], whitelist, scratch, threads, processes);
        var seconds = clock.Elapsed.TotalSeconds;
        var name = whitelist is null ? "tesseract" : "tesseract/whitelist";
        return new MethodResult(name, OcrMetrics.Score([.. samples.Select(s => s.Text)], [.. texts.Select(t => (string?)t)], seconds), [.. texts]);
    }
}
