using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reactive.Concurrency;

namespace StreamSeq.Stages;

/// <summary>Options of <c>window.sliding</c>: a count window (<c>size</c>, <c>hop</c>) or a time window (<c>duration</c>, <c>every</c>).</summary>
public sealed class SlidingWindowOptions : IValidatableObject
{
    [Description("Packets per window (count windows)")]
    [Range(1, 1_000_000)]
    public int? Size { get; init; }

    [Description("Packets between the starts of consecutive count windows")]
    [Range(1, 1_000_000)]
    public int Hop { get; init; } = 1;

    [Description("Originating-time length of a window (time windows)")]
    public TimeSpan? Duration { get; init; }

    [Description("Originating time between the starts of consecutive time windows (default: duration)")]
    public TimeSpan? Every { get; init; }

    [Description("At the end of the stream, also emit the last incomplete window")]
    public bool EmitPartial { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
        => WindowRules.Validate(Size, Duration, Every);
}

/// <summary>
/// Overlapping windows over a stream, by count or by originating time. Each window holds its members, so
/// their payloads and acknowledgements live until the window is consumed.
/// </summary>
/// <typeparam name="T">The payload type of the members.</typeparam>
[Stage("window.sliding", Description = "Overlapping windows by count (size, hop) or by originating time (duration, every)")]
public sealed class SlidingWindowStage<T> : RxStage<T, Window<T>>
{
    private readonly SlidingWindowOptions _options;
    private string _streamId = "window";

    public SlidingWindowStage(SlidingWindowOptions options) => _options = options;

    public override ValueTask StartAsync(StageContext context, CancellationToken cancellationToken)
    {
        _streamId = context.StageId;
        return ValueTask.CompletedTask;
    }

    public override IObservable<Packet<Window<T>>> Build(IReadOnlyList<IObservable<Packet<T>>> inputs, IScheduler scheduler)
        => _options.Size is { } size
            ? WindowOperators.ByCount(inputs[0], size, _options.Hop, _options.EmitPartial, _streamId)
            : WindowOperators.ByTime(inputs[0], _options.Duration!.Value, _options.Every ?? _options.Duration!.Value, _options.EmitPartial, _streamId);
}

/// <summary>The rules both window stages share.</summary>
internal static class WindowRules
{
    public static IEnumerable<ValidationResult> Validate(int? size, TimeSpan? duration, TimeSpan? every)
    {
        if (size is null == duration is null)
        {
            yield return new ValidationResult("give either 'size' (a count window) or 'duration' (a time window)", [size is null ? "Duration" : "Size"]);
        }
        if (duration is { } d && d <= TimeSpan.Zero)
        {
            yield return new ValidationResult("'duration' must be positive", ["Duration"]);
        }
        if (every is { } e && e <= TimeSpan.Zero)
        {
            yield return new ValidationResult("'every' must be positive", ["Every"]);
        }
        if (every is not null && duration is null)
        {
            yield return new ValidationResult("'every' applies to time windows; count windows use 'hop'", ["Every"]);
        }
    }
}
