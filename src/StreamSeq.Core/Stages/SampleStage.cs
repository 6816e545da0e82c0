using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Linq;

namespace StreamSeq.Stages;

/// <summary>Options of <c>sample</c>.</summary>
public sealed class SampleOptions : IValidatableObject
{
    [Description("Wall-clock period at which the latest packet is emitted")]
    [RequiredOption]
    public TimeSpan Interval { get; init; }

    [Description("When the input ends, emit the packet still held")]
    public bool EmitLast { get; init; } = true;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Interval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("'interval' must be positive", [nameof(Interval)]);
        }
    }
}

/// <summary>
/// Emits the most recent packet once per wall-clock interval (nothing when none arrived): a dashboard
/// feed that shows the latest reading at a steady pace whatever the input rate.
/// </summary>
/// <typeparam name="T">The payload type.</typeparam>
[Stage("sample", Description = "The latest packet once per wall-clock interval (nothing if none arrived)")]
public sealed class SampleStage<T> : RxStage<T, T>
{
    private readonly SampleOptions _options;

    public SampleStage(SampleOptions options) => _options = options;

    public override IObservable<Packet<T>> Build(IReadOnlyList<IObservable<Packet<T>>> inputs, IScheduler scheduler)
        => Observable.Create<Packet<T>>(observer =>
        {
            var gate = new object();
            Packet<T> latest = default;
            var holding = false;
            var done = false;

            var ticks = Observable.Interval(_options.Interval, scheduler).Subscribe(_ =>
            {
                lock (gate)
                {
                    if (holding && !done)
                    {
                        holding = false;
                        observer.OnNext(latest);
                    }
                }
            });
            var subscription = inputs[0].Subscribe(
                packet =>
                {
                    lock (gate)
                    {
                        if (holding)
                        {
                            latest.Release(); // superseded: sampling it away is this stage's job, not a drop
                        }
                        latest = packet.Retain();
                        holding = true;
                    }
                },
                error =>
                {
                    lock (gate)
                    {
                        done = true;
                        if (holding)
                        {
                            holding = false;
                            latest.Release();
                        }
                        observer.OnError(error);
                    }
                },
                () =>
                {
                    lock (gate)
                    {
                        done = true;
                        if (holding)
                        {
                            holding = false;
                            if (_options.EmitLast)
                            {
                                observer.OnNext(latest);
                            }
                            else
                            {
                                latest.Release();
                            }
                        }
                        observer.OnCompleted();
                    }
                });

            return Disposable.Create(() =>
            {
                ticks.Dispose();
                subscription.Dispose();
                lock (gate)
                {
                    done = true;
                    if (holding)
                    {
                        holding = false;
                        latest.Release();
                    }
                }
            });
        });
}
