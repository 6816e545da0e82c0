using StreamSeq.Learning;
using StreamSeq.Ocr.Data;
using StreamSeq.Ocr.Model;
using StreamSeq.Ocr.Tests.Support;

namespace StreamSeq.Ocr.Tests.Model;

public sealed class FreshTrainingLinesTests : IDisposable
{
    private readonly string _folder = OcrTestSupport.TempFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void An_epoch_holds_the_asked_mix_of_handwritten_and_printed_lines_from_the_training_digits()
    {
        TorchRuntime.Configure(1, 1);
        using var model = CrnnModel.Create(OcrAlphabet.Default, width: 8, hidden: 16);
        using var printed = new PrintedLines(["/usr/share/fonts/truetype/dejavu"]);
        using var fresh = new FreshTrainingLines(model, OcrTestSupport.FakeMnist(_folder, perDigit: 10), printed, 12, 6, seed: 3);
        var epoch = fresh.NextEpoch();
        Assert.Equal(18, fresh.PerEpoch);
        var texts = epoch.Select(l => model.Alphabet.Decode(l.Labels)).ToList();
        var handwritten = texts.Where(t => t.All(char.IsAsciiDigit) && t.Length is >= 3 and <= 8).ToList();
        // Printed lines may be all digits too ("4886"), so count the ones that cannot be digit strings.
        Assert.InRange(handwritten.Count, 12 - 6, 18);
        Assert.True(texts.Count(t => !t.All(char.IsAsciiDigit)) >= 1, string.Join(" | ", texts));
        Assert.All(epoch, l => Assert.Equal(CrnnNet.InputHeight, l.Line.Height));
        // The fake package's training digits are solid blocks, its held-out ones thin bars: only blocks are drawn.
        var digitLines = epoch.Where(l => model.Alphabet.Decode(l.Labels) is var t && t.All(char.IsAsciiDigit) && t.Length >= 3).ToList();
        Assert.All(digitLines, l => Assert.True(l.Line.Pixels.Average() > 0.2, $"mean ink {l.Line.Pixels.Average():0.00}"));
    }

    [Fact]
    public void Epochs_differ_and_the_background_draw_follows_the_same_seeded_stream()
    {
        TorchRuntime.Configure(1, 1);
        using var model = CrnnModel.Create(OcrAlphabet.Default, width: 8, hidden: 16);
        using var printed = new PrintedLines(["/usr/share/fonts/truetype/dejavu"]);
        var mnist = OcrTestSupport.FakeMnist(_folder, perDigit: 10);
        using var prefetching = new FreshTrainingLines(model, mnist, printed, 5, 3, seed: 9);
        using var inline = new FreshTrainingLines(model, mnist, printed, 5, 3, seed: 9);
        var first = prefetching.NextEpoch();
        var second = prefetching.NextEpoch();
        Assert.Equal(Texts(model, inline.Draw()), Texts(model, first));
        Assert.Equal(Texts(model, inline.Draw()), Texts(model, second));
        Assert.NotEqual(Texts(model, first), Texts(model, second));
    }

    [Fact]
    public void Printed_lines_alone_need_no_digits_and_a_missing_source_is_refused()
    {
        TorchRuntime.Configure(1, 1);
        using var model = CrnnModel.Create(OcrAlphabet.Default, width: 4, hidden: 8);
        using var printed = new PrintedLines(["/usr/share/fonts/truetype/dejavu"]);
        using var onlyPrinted = new FreshTrainingLines(model, null, printed, 0, 3, seed: 1);
        Assert.Equal(3, onlyPrinted.NextEpoch(prefetch: false).Count);
        Assert.Throws<ArgumentNullException>(() => new FreshTrainingLines(model, null, printed, 2, 0, seed: 1));
        Assert.Throws<ArgumentNullException>(() => new FreshTrainingLines(model, OcrTestSupport.FakeMnist(_folder), null, 0, 2, seed: 1));
    }

    [Fact]
    public void Training_on_fresh_lines_alone_runs_every_epoch_and_reports_each()
    {
        TorchRuntime.Configure(2, 1);
        using var model = CrnnModel.Create(OcrAlphabet.Default, width: 4, hidden: 8);
        using var printed = new PrintedLines(["/usr/share/fonts/truetype/dejavu"]);
        using var fresh = new FreshTrainingLines(model, OcrTestSupport.FakeMnist(_folder, perDigit: 10), printed, 4, 4, seed: 1);
        var reported = new List<CrnnTrainingLog>();
        var log = CrnnTrainer.Train(model, [], new CrnnTrainingSettings(Epochs: 3, BatchSize: 4), fresh: fresh, epochDone: reported.Add);
        Assert.Equal(3, log.EpochLoss.Count);
        Assert.Equal(8, log.Lines);
        Assert.Equal([1, 2, 3], reported.Select(r => r.EpochLoss.Count));
        Assert.True(log.Steps >= 3 * 1, $"{log.Steps} steps");
        Assert.All(log.EpochLoss, l => Assert.True(double.IsFinite(l) && l > 0, $"loss {l}"));
    }

    [Fact]
    public void An_epoch_without_lines_is_refused()
    {
        TorchRuntime.Configure(1, 1);
        using var model = CrnnModel.Create(OcrAlphabet.Default, width: 4, hidden: 8);
        using var printed = new PrintedLines(["/usr/share/fonts/truetype/dejavu"]);
        var mnist = OcrTestSupport.FakeMnist(_folder);
        Assert.Throws<ArgumentException>(() => new FreshTrainingLines(model, mnist, printed, 0, 0, seed: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FreshTrainingLines(model, mnist, printed, -1, 2, seed: 1));
    }

    private static List<string> Texts(CrnnModel model, IReadOnlyList<(LineImage Line, int[] Labels)> lines) =>
        [.. lines.Select(l => model.Alphabet.Decode(l.Labels) + "@" + l.Line.Width + ":" + l.Line.Pixels.Sum().ToString("0.000", System.Globalization.CultureInfo.InvariantCulture))];
}
