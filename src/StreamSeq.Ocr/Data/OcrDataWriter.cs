using OpenCvSharp;
using StreamSeq.Learning.Data;

namespace StreamSeq.Ocr.Data;

/// <summary>
/// Writes the OCR data set: PNG line images and line lists under a root folder —
/// <c>train.tsv</c> (handwritten digits and printed lines mixed), <c>test-digits.tsv</c> and
/// <c>test-printed.tsv</c>, images under <c>images/{train,test}/{digits,printed}/</c>. Test digit strings use
/// only the held-out MNIST images. Every choice comes from one seed.
/// </summary>
public static class OcrDataWriter
{
    /// <summary>List of the training lines.</summary>
    public const string TrainList = "train.tsv";

    /// <summary>List of the held-out handwritten digit strings.</summary>
    public const string TestDigitsList = "test-digits.tsv";

    /// <summary>List of the held-out printed lines.</summary>
    public const string TestPrintedList = "test-printed.tsv";

    /// <summary>Writes the set; <paramref name="progress"/> gets the number of images done.</summary>
    public static void Write(string root, MnistDigits digits, PrintedLines printed, int trainDigits, int trainPrinted, int testDigits, int testPrinted, int seed, Action<int>? progress = null)
    {
        var done = 0;
        var train = new List<LineSample>();
        train.AddRange(WriteDigits(root, "train", digits, trainDigits, new Random(seed * 101 + 1), false, () => progress?.Invoke(++done)));
        train.AddRange(WritePrinted(root, "train", printed, trainPrinted, new Random(seed * 101 + 2), () => progress?.Invoke(++done)));
        // Shuffled, so any prefix of the list mixes both kinds.
        var shuffle = new Random(seed * 101 + 3);
        var shuffled = train.ToArray();
        shuffle.Shuffle(shuffled);
        LineList.Write(Path.Combine(root, TrainList), shuffled);
        LineList.Write(Path.Combine(root, TestDigitsList), WriteDigits(root, "test", digits, testDigits, new Random(seed * 101 + 4), true, () => progress?.Invoke(++done)));
        LineList.Write(Path.Combine(root, TestPrintedList), WritePrinted(root, "test", printed, testPrinted, new Random(seed * 101 + 5), () => progress?.Invoke(++done)));
    }

    private static List<LineSample> WriteDigits(string root, string split, MnistDigits digits, int count, Random random, bool test, Action step)
    {
        var folder = Path.Combine(root, "images", split, "digits");
        Directory.CreateDirectory(folder);
        var samples = new List<LineSample>();
        for (var i = 0; i < count; i++)
        {
            var (image, text) = HandwrittenLines.Draw(random, digits, test);
            using (image)
            {
                var path = Path.Combine(folder, $"{i:00000}.png");
                Save(path, image);
                samples.Add(new LineSample(path, text));
            }
            step();
        }
        return samples;
    }

    private static List<LineSample> WritePrinted(string root, string split, PrintedLines printed, int count, Random random, Action step)
    {
        var folder = Path.Combine(root, "images", split, "printed");
        Directory.CreateDirectory(folder);
        var samples = new List<LineSample>();
        for (var i = 0; i < count; i++)
        {
            var text = PrintedLines.RandomText(random);
            using var image = printed.Render(random, text);
            var path = Path.Combine(folder, $"{i:00000}.png");
            Save(path, image);
            samples.Add(new LineSample(path, text));
            step();
        }
        return samples;
    }

    private static void Save(string path, Mat image)
    {
        if (!Cv2.ImWrite(path, image))
        {
            throw new IOException($"could not write '{path}'");
        }
    }
}
