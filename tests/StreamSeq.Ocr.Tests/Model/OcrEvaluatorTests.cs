using StreamSeq.Learning;
using StreamSeq.Ocr.Data;
using StreamSeq.Ocr.Model;
using StreamSeq.Ocr.Tests.Support;

namespace StreamSeq.Ocr.Tests.Model;

public sealed class OcrEvaluatorTests : IDisposable
{
    private readonly string _folder = OcrTestSupport.TempFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Reading_batches_on_two_threads_gives_every_line_the_reading_one_thread_gives()
    {
        TorchRuntime.Configure(1, 1);
        using var model = CrnnModel.Load(OcrTestSupport.PathOf("models/ocr"));
        var samples = Samples(11);
        var one = OcrEvaluator.EvaluateCrnn(model, samples, new CtcDecoding(model.Alphabet), batchSize: 2, threads: 1);
        var two = OcrEvaluator.EvaluateCrnn(model, samples, new CtcDecoding(model.Alphabet), batchSize: 2, threads: 2);
        Assert.Equal(one.Texts, two.Texts);
        Assert.Equal(one.Metrics.Cer, two.Metrics.Cer);
        Assert.Equal(samples.Count, two.Metrics.Lines);
    }

    [Fact]
    public void Reading_files_keeps_their_order_across_width_sorted_batches_and_says_why_a_blank_one_has_no_reading()
    {
        TorchRuntime.Configure(1, 1);
        using var model = CrnnModel.Load(OcrTestSupport.PathOf("models/ocr"));
        var samples = Samples(6);
        var blank = Path.Combine(_folder, "blank.png");
        using (var white = new OpenCvSharp.Mat(40, 200, OpenCvSharp.MatType.CV_8UC1, OpenCvSharp.Scalar.All(255)))
        {
            OpenCvSharp.Cv2.ImWrite(blank, white);
        }
        List<string> paths = [.. samples.Take(3).Select(s => s.Image), blank, .. samples.Skip(3).Select(s => s.Image)];
        var decoding = new CtcDecoding(model.Alphabet);
        var together = model.ReadFiles(paths, decoding, batchSize: 2, threads: 2);
        Assert.Equal(7, together.Count);
        Assert.False(together[3].HasReading);
        Assert.StartsWith("blank image", together[3].NoReading);
        // Two threads give what one gives (the same width-sorted batches), and the readings sit at their own files.
        Assert.Equal(model.ReadFiles(paths, decoding, batchSize: 2, threads: 1).Select(r => r.Text), together.Select(r => r.Text));
        var truth = samples.Take(3).Select(s => s.Text).Append("").Concat(samples.Skip(3).Select(s => s.Text)).ToList();
        Assert.True(together.Zip(truth).Count(p => p.First.Text == p.Second) >= 5, string.Join(" | ", together.Select(r => r.Text)));
        Assert.Throws<FileNotFoundException>(() => model.ReadFiles([.. paths, Path.Combine(_folder, "missing.png")], decoding));
    }

    [Fact]
    public void Tesseract_split_between_processes_returns_the_texts_in_list_order()
    {
        if (Tesseract.Version() is null)
        {
            Assert.Fail("tesseract is not installed (scripts/setup.sh installs tesseract-ocr)");
        }
        var samples = Samples(5);
        var images = samples.Select(s => s.Image).ToList();
        var scratch = Path.Combine(_folder, "scratch");
        var single = Tesseract.Read(images, null, scratch, threads: 1, processes: 1);
        var split = Tesseract.Read(images, null, scratch, threads: 1, processes: 2);
        Assert.Equal(single, split);
        Assert.Equal(5, split.Count);
        // Tesseract reads clean printed lines: most come back exactly, in their own order.
        Assert.True(split.Zip(samples).Count(p => p.First == p.Second.Text) >= 3, string.Join(" | ", split));
    }

    /// <summary>Printed lines in one clean font, written as PNG files.</summary>
    private List<LineSample> Samples(int count)
    {
        using var printed = new PrintedLines(["/usr/share/fonts/truetype/dejavu"]);
        var random = new Random(5);
        var samples = new List<LineSample>();
        for (var i = 0; i < count; i++)
        {
            var text = PrintedLines.RandomText(random, 16);
            using var image = printed.Render(random, text);
            var path = Path.Combine(_folder, $"{i}.png");
            OpenCvSharp.Cv2.ImWrite(path, image);
            samples.Add(new LineSample(path, text));
        }
        return samples;
    }
}
