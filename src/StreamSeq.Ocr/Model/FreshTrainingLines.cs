using StreamSeq.Learning.Data;
using StreamSeq.Ocr.Data;

namespace StreamSeq.Ocr.Model;

/// <summary>
/// Newly drawn training lines for every epoch: handwritten strings from MNIST's training split and printed
/// lines, from one seeded stream, prepared for a <see cref="CrnnModel"/>. A fixed list of rendered lines is
/// memorised by the CRNN (it reads its training lines perfectly long before it reads held-out ones well);
/// new combinations of digits, spacings and degradations each epoch keep it learning the characters instead.
/// The next epoch is drawn on a background task while the current one trains, one epoch ahead at most.
/// </summary>
public sealed class FreshTrainingLines : IDisposable
{
    private readonly CrnnModel _model;
    private readonly MnistDigits? _digits;
    private readonly PrintedLines? _printed;
    private readonly Random _random;
    private readonly CancellationTokenSource _stop = new();
    private Task<IReadOnlyList<(LineImage Line, int[] Labels)>>? _next;

    /// <param name="model">Prepares the images and encodes the texts.</param>
    /// <param name="digits">MNIST digits; only the training split is drawn from (may be null without handwritten lines).</param>
    /// <param name="printed">The printed-line renderer, owned by the caller and used from the background task (may be
    /// null without printed lines).</param>
    /// <param name="handwrittenPerEpoch">Handwritten strings per epoch.</param>
    /// <param name="printedPerEpoch">Printed lines per epoch.</param>
    /// <param name="seed">Seeds every draw.</param>
    /// <param name="distortion">Distorts each digit image before it joins a handwritten line, or null for none.</param>
    public FreshTrainingLines(CrnnModel model, MnistDigits? digits, PrintedLines? printed, int handwrittenPerEpoch, int printedPerEpoch, int seed, DigitDistortion? distortion = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(handwrittenPerEpoch);
        ArgumentOutOfRangeException.ThrowIfNegative(printedPerEpoch);
        if (handwrittenPerEpoch + printedPerEpoch == 0)
        {
            throw new ArgumentException("an epoch needs at least one line");
        }
        if ((handwrittenPerEpoch > 0 && digits is null) || (printedPerEpoch > 0 && printed is null))
        {
            throw new ArgumentNullException(digits is null ? nameof(digits) : nameof(printed), "handwritten lines need the digits, printed lines the renderer");
        }
        _model = model;
        _digits = digits;
        _printed = printed;
        HandwrittenPerEpoch = handwrittenPerEpoch;
        PrintedPerEpoch = printedPerEpoch;
        _random = new Random(seed);
        Distortion = distortion;
    }

    /// <summary>The digit distortion of handwritten lines, if any.</summary>
    public DigitDistortion? Distortion { get; }

    public int HandwrittenPerEpoch { get; }

    public int PrintedPerEpoch { get; }

    /// <summary>Lines per epoch.</summary>
    public int PerEpoch => HandwrittenPerEpoch + PrintedPerEpoch;

    /// <summary>The next epoch's lines (waiting for the background draw if it has not finished).</summary>
    /// <param name="prefetch">Start drawing the epoch after this one in the background (false for the last epoch).</param>
    public IReadOnlyList<(LineImage Line, int[] Labels)> NextEpoch(bool prefetch = true)
    {
        var current = (_next ?? Task.FromResult(DrawEpoch())).GetAwaiter().GetResult();
        _next = prefetch ? Task.Run(DrawEpoch) : null;
        return current;
    }

    /// <summary>Draws one epoch on the calling thread.</summary>
    /// <exception cref="InvalidOperationException">A background draw is running (the two would share one random stream).</exception>
    public IReadOnlyList<(LineImage Line, int[] Labels)> Draw()
    {
        if (_next is { IsCompleted: false })
        {
            throw new InvalidOperationException("the next epoch is being drawn in the background; take it with NextEpoch");
        }
        return DrawEpoch();
    }

    private IReadOnlyList<(LineImage Line, int[] Labels)> DrawEpoch()
    {
        var lines = new List<(LineImage, int[])>(PerEpoch);
        var handwritten = 0;
        var printed = 0;
        while (handwritten < HandwrittenPerEpoch || printed < PrintedPerEpoch)
        {
            _stop.Token.ThrowIfCancellationRequested();
            // Interleaved in proportion, so an epoch cut short by a time budget still holds both kinds.
            var drawHandwritten = printed >= PrintedPerEpoch
                || (handwritten < HandwrittenPerEpoch && _random.NextDouble() * PerEpoch < HandwrittenPerEpoch);
            var (image, text) = drawHandwritten
                ? HandwrittenLines.Draw(_random, _digits!, test: false, distortion: Distortion)
                : Render(_printed!.NextText(_random));
            using (image)
            {
                var (line, _) = _model.Prepare(image);
                var labels = _model.Alphabet.Encode(text, "a drawn training line");
                // A line too narrow for its label (a rare tight draw) is skipped, as the list trainer would refuse it.
                if (line is not null && CrnnNet.FramesOf(line.Width) >= CrnnTrainer.MinFrames(labels))
                {
                    lines.Add((line, labels));
                }
            }
            if (drawHandwritten)
            {
                handwritten++;
            }
            else
            {
                printed++;
            }
        }
        return lines;
    }

    private (OpenCvSharp.Mat Image, string Text) Render(string text) => (_printed!.Render(_random, text), text);

    /// <summary>Stops a background draw still running and waits for it, so the renderer is not disposed under it.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _next?.Wait();
        }
        catch (AggregateException)
        {
            // The epoch being drawn is discarded: cancelled here, or failed where nobody asked for it.
        }
        _next = null;
        _stop.Dispose();
    }
}
