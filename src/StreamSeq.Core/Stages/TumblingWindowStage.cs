using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reactive.Concurrency;

namespace StreamSeq.Stages;

/// <summary>Options of <c>window.tumbling</c>: <c>size</c> packets or <c>duration</c> of originating time.</summary>
public sealed class TumblingWindowOptions : IValidatableObject
{
    [Description("Packets per window (count windows)")]
    [Range(1, 1_000_000)]
    public int? Size { get; init; }

    [Description("Originating-time length of a window (time windows), aligned to multiples of itself")]
    public TimeSpan? Duration { get; init; }

    [Description("At the end of the stream, also emit the last incomplete window")]
    public bool EmitPartial { get; init; } = true;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => WindowRules.Validate(Size, Duration, null);
}

/// <summary>Back-to-back windows that do not overlap, by count or by originating time.</summary>
/// <typeparam name="T">The payload type of the members.</typeparam>
[Stage("window.tumbling", Description = "Back-to-back, non-overlapping windows by count (size) or originating time (duration)")]
public sealed class TumblingWindowStage<T> : RxStage<T, Window<T>>
{
    private readonly TumblingWindowOptions _options;
    private string _streamId = "window";

    public TumblingWindowStage(TumblingWindowOptions options) => _options = options;

    public override ValueTask StartAsync(StageContext context, CancellationToken cancellationToken)
    {
        _streamId = context.StageId;
        return ValueTask.CompletedTask;
    }

    public override IObservable<Packet<Window<T>>> Build(IReadOnlyList<IObservable<Packet<T>>> inputs, IScheduler scheduler)
        => _options.Size is { } size
            ? WindowOperators.ByCount(inputs[0], size, size, _options.EmitPartial, _streamId)
            : WindowOperators.ByTime(inputs[0], _options.Duration!.Value, _options.Duration!.Value, _options.EmitPartial, _streamId);
}
