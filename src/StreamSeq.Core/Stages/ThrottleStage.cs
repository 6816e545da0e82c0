using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reactive.Concurrency;
using System.Reactive.Linq;

namespace StreamSeq.Stages;

/// <summary>Options of <c>throttle</c>.</summary>
public sealed class ThrottleOptions : IValidatableObject
{
    [Description("Minimum originating time between two packets let through")]
    [RequiredOption]
    public TimeSpan Interval { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Interval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("'interval' must be positive", [nameof(Interval)]);
        }
    }
}

/// <summary>
/// Lets through at most one packet per interval of originating time (the first of each interval) and
/// drops the rest: a live 30 fps camera throttled to 2 s gives one frame every 2 s of capture time,
/// however fast or slow the pipeline runs.
/// </summary>
/// <typeparam name="T">The payload type.</typeparam>
[Stage("throttle", Description = "At most one packet per interval of originating time; the rest are dropped")]
public sealed class ThrottleStage<T> : RxStage<T, T>
{
    private readonly ThrottleOptions _options;

    public ThrottleStage(ThrottleOptions options) => _options = options;

    public override IObservable<Packet<T>> Build(IReadOnlyList<IObservable<Packet<T>>> inputs, IScheduler scheduler)
        => Observable.Defer(() =>
        {
            DateTime? last = null;
            return inputs[0]
                .Where(packet =>
                {
                    if (last is { } previous && packet.OriginatingTime - previous < _options.Interval)
                    {
                        return false;
                    }
                    last = packet.OriginatingTime;
                    return true;
                })
                .Select(packet => packet.Retain());
        });
}
