namespace StreamSeq.Ingest;

/// <summary>
/// The wait between attempts of something that fails and is tried again (a reconnecting source, a restarting
/// stage or pipeline, a retried publish): <c>initial × factor^(n-1)</c> before attempt <c>n</c> after a failure,
/// capped at <see cref="MaxDelay"/>, for at most <see cref="MaxAttempts"/> failures in a row (or without limit).
/// A success calls <see cref="Reset"/>, so the next failure waits <see cref="Initial"/> again. Without jitter the
/// sequence is deterministic; with it each wait is drawn uniformly from [½·d, d] of the deterministic wait d,
/// so many clients that lost the same server do not return in lock-step.
/// </summary>
/// <remarks>One instance belongs to one retry loop; it is not thread-safe.</remarks>
public sealed class Backoff
{
    private readonly Random? _random;

    /// <summary>Creates a schedule.</summary>
    /// <param name="initial">The wait after the first failure in a row.</param>
    /// <param name="maxDelay">The longest wait; the schedule stays there once it reaches it.</param>
    /// <param name="factor">How much each failure in a row multiplies the wait (1 keeps it constant).</param>
    /// <param name="maxAttempts">Failures in a row that may be retried; null: no limit (0: none).</param>
    /// <param name="jitter">Draw each wait from [½·d, d] of the deterministic wait d.</param>
    /// <param name="random">The source of jitter (tests pass a seeded one); default: <see cref="Random.Shared"/>.</param>
    public Backoff(TimeSpan initial, TimeSpan maxDelay, double factor = 2, int? maxAttempts = null, bool jitter = false, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, TimeSpan.Zero);
        if (!(factor >= 1) || double.IsInfinity(factor))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "the factor must be a finite number of at least 1");
        }
        if (maxAttempts is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxAttempts), maxAttempts, "must not be negative (null: no limit)");
        }
        Initial = initial;
        MaxDelay = maxDelay;
        Factor = factor;
        MaxAttempts = maxAttempts;
        Jitter = jitter;
        _random = random;
    }

    /// <summary>The wait after the first failure in a row.</summary>
    public TimeSpan Initial { get; }

    /// <summary>The longest wait.</summary>
    public TimeSpan MaxDelay { get; }

    /// <summary>The growth of the wait per failure in a row.</summary>
    public double Factor { get; }

    /// <summary>Failures in a row that may be retried; null when there is no limit.</summary>
    public int? MaxAttempts { get; }

    /// <summary>Whether waits are drawn from [½·d, d].</summary>
    public bool Jitter { get; }

    /// <summary>Failures counted by <see cref="TryNext"/> since the last <see cref="Reset"/> (the one that gave up included).</summary>
    public int Failures { get; private set; }

    /// <summary>Whether the limit is reached: the next <see cref="TryNext"/> returns false.</summary>
    public bool Exhausted => MaxAttempts is { } max && Failures >= max;

    /// <summary>The deterministic wait (before jitter) that the next <see cref="TryNext"/> is based on.</summary>
    public TimeSpan NextDelay => DelayFor(Failures + 1);

    /// <summary>
    /// The deterministic wait after failure number <paramref name="failure"/> in a row (1-based):
    /// <c>min(maxDelay, initial × factor^(failure-1))</c>.
    /// </summary>
    public TimeSpan DelayFor(int failure)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failure, 1);
        if (Initial >= MaxDelay)
        {
            return MaxDelay;
        }
        // Computed in doubles: the product overflows long ticks long before the exponent gets large, and any
        // value at or above the cap (infinity included) is the cap.
        var ticks = Initial.Ticks * Math.Pow(Factor, failure - 1);
        return ticks >= MaxDelay.Ticks ? MaxDelay : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>
    /// Counts a failure and gives the wait before the next attempt; false (and a zero wait) when the failures
    /// in a row now exceed <see cref="MaxAttempts"/> and the caller should give up.
    /// </summary>
    public bool TryNext(out TimeSpan delay)
    {
        Failures = Failures == int.MaxValue ? int.MaxValue : Failures + 1;
        if (MaxAttempts is { } max && Failures > max)
        {
            delay = TimeSpan.Zero;
            return false;
        }
        delay = DelayFor(Failures);
        if (Jitter && delay > TimeSpan.Zero)
        {
            var random = _random ?? Random.Shared;
            delay = TimeSpan.FromTicks(delay.Ticks - (long)(random.NextDouble() * (delay.Ticks / 2)));
        }
        return true;
    }

    /// <summary>An attempt succeeded: the failures in a row start again from zero.</summary>
    public void Reset() => Failures = 0;
}
