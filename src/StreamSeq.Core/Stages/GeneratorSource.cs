using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics;

namespace StreamSeq.Stages;

/// <summary>What <c>source.generator</c> produces.</summary>
public enum GeneratorMode
{
    /// <summary>0, 1, 2, …</summary>
    Counter,

    /// <summary>amplitude · sin(2π · frequency · t), t the originating time since start.</summary>
    Sine,

    /// <summary>Uniform in [0, amplitude), seeded.</summary>
    Random,
}

/// <summary>Options of <c>source.generator</c>.</summary>
public sealed class GeneratorOptions : IValidatableObject
{
    [Description("counter, sine or random values")]
    public GeneratorMode Mode { get; init; } = GeneratorMode.Counter;

    [Description("Packets per second, paced against the wall clock; 0 emits as fast as consumers take them")]
    [Range(0, 10_000_000)]
    public double Rate { get; init; }

    [Description("How many packets to emit; 0 emits until the pipeline stops")]
    [Range(0, long.MaxValue)]
    public long Count { get; init; }

    [Description("Scale of sine and random values")]
    public double Amplitude { get; init; } = 1;

    [Description("Frequency of the sine in Hz (of originating time)")]
    [Range(0, 1e9)]
    public double Frequency { get; init; } = 1;

    [Description("Seed of random values")]
    public int Seed { get; init; } = 1;

    [Description("Originating time between packets when rate is 0 (with a rate, 1/rate)")]
    public TimeSpan Period { get; init; } = TimeSpan.FromMilliseconds(1);

    [Description("Originating time of the first packet (ISO 8601, UTC); default: the wall clock when the stage starts")]
    public DateTime? Start { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Rate is > 0 and < 0.001)
        {
            yield return new ValidationResult("'rate' is 0 (unpaced) or at least 0.001 packets per second", [nameof(Rate)]);
        }
        if (Period <= TimeSpan.Zero)
        {
            yield return new ValidationResult("'period' must be positive", [nameof(Period)]);
        }
    }
}

/// <summary>
/// Counter, sine or random numbers at a rate, for tests, demos and benchmarks. Originating times advance
/// by exactly one period per packet from the start time, so downstream time logic is reproducible.
/// </summary>
[Stage("source.generator", Description = "Counter, sine or random numbers at a rate (tests, demos, benchmarks)")]
public sealed class GeneratorSource : SourceStage<double>
{
    private readonly GeneratorOptions _options;

    public GeneratorSource(GeneratorOptions options) => _options = options;

    public override async Task RunAsync(Emitter<double> output, CancellationToken cancellationToken)
    {
        var rate = _options.Rate;
        var periodTicks = (rate > 0 ? TimeSpan.FromSeconds(1 / rate) : _options.Period).Ticks;
        var startTicks = (_options.Start?.ToUniversalTime() ?? DateTime.UtcNow).Ticks;
        var count = _options.Count;
        var mode = _options.Mode;
        var clock = Stopwatch.StartNew();
        var random = new Random(_options.Seed);
        for (long i = 0; count == 0 || i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (rate > 0)
            {
                // Pace against elapsed time, not per-packet sleeps, so timer granularity causes bursts, not drift.
                var ahead = TimeSpan.FromSeconds(i / rate) - clock.Elapsed;
                if (ahead > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(ahead, cancellationToken).ConfigureAwait(false);
                }
            }
            var offsetTicks = periodTicks * i;
            var value = mode switch
            {
                GeneratorMode.Sine => _options.Amplitude * Math.Sin(2 * Math.PI * _options.Frequency * offsetTicks / TimeSpan.TicksPerSecond),
                GeneratorMode.Random => random.NextDouble() * _options.Amplitude,
                _ => i,
            };
            var pending = output.EmitAsync(value, new DateTime(startTicks + offsetTicks, DateTimeKind.Utc), null, cancellationToken);
            if (!pending.IsCompletedSuccessfully)
            {
                await pending.ConfigureAwait(false);
            }
        }
    }
}
