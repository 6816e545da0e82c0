using StreamSeq.Ingest;

namespace StreamSeq.Ingest.Tests;

public sealed class BackoffTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    private static List<TimeSpan> Take(Backoff backoff, int count)
    {
        var delays = new List<TimeSpan>();
        for (var i = 0; i < count; i++)
        {
            Assert.True(backoff.TryNext(out var delay));
            delays.Add(delay);
        }
        return delays;
    }

    [Fact]
    public void Doubles_from_the_initial_delay_and_stays_at_the_cap()
    {
        var backoff = new Backoff(Ms(250), Ms(3000));
        Assert.Equal([Ms(250), Ms(500), Ms(1000), Ms(2000), Ms(3000), Ms(3000)], Take(backoff, 6));
        Assert.Equal(6, backoff.Failures);
    }

    [Fact]
    public void Another_factor_grows_by_that_factor()
    {
        var backoff = new Backoff(Ms(100), Ms(10_000), factor: 3);
        Assert.Equal([Ms(100), Ms(300), Ms(900), Ms(2700), Ms(8100), Ms(10_000)], Take(backoff, 6));
    }

    [Fact]
    public void A_factor_of_one_keeps_the_delay_constant()
    {
        Assert.Equal([Ms(40), Ms(40), Ms(40)], Take(new Backoff(Ms(40), Ms(1000), factor: 1), 3));
    }

    [Fact]
    public void Reset_starts_the_sequence_again()
    {
        var backoff = new Backoff(Ms(100), Ms(1000));
        Take(backoff, 3);
        Assert.Equal(Ms(800), backoff.NextDelay);
        backoff.Reset();
        Assert.Equal(0, backoff.Failures);
        Assert.Equal(Ms(100), backoff.NextDelay);
        Assert.Equal([Ms(100), Ms(200)], Take(backoff, 2));
    }

    [Fact]
    public void Gives_up_after_max_attempts_failures_in_a_row_and_a_reset_allows_them_again()
    {
        var backoff = new Backoff(Ms(10), Ms(1000), maxAttempts: 2);
        Assert.Equal([Ms(10), Ms(20)], Take(backoff, 2));
        Assert.True(backoff.Exhausted);
        Assert.False(backoff.TryNext(out var none));
        Assert.Equal(TimeSpan.Zero, none);
        Assert.Equal(3, backoff.Failures);
        backoff.Reset();
        Assert.False(backoff.Exhausted);
        Assert.True(backoff.TryNext(out var again));
        Assert.Equal(Ms(10), again);
    }

    [Fact]
    public void Zero_max_attempts_never_retries_and_null_never_gives_up()
    {
        Assert.False(new Backoff(Ms(10), Ms(20), maxAttempts: 0).TryNext(out _));
        var unlimited = new Backoff(Ms(10), Ms(20));
        for (var i = 0; i < 10_000; i++)
        {
            Assert.True(unlimited.TryNext(out var delay));
            Assert.Equal(i == 0 ? Ms(10) : Ms(20), delay);
        }
    }

    [Fact]
    public void Very_long_runs_stay_at_the_cap_without_overflow()
    {
        var backoff = new Backoff(TimeSpan.FromDays(1), TimeSpan.FromDays(3650));
        Assert.Equal(TimeSpan.FromDays(3650), backoff.DelayFor(int.MaxValue));
        Assert.Equal(TimeSpan.FromDays(2), backoff.DelayFor(2));
    }

    [Fact]
    public void An_initial_delay_above_the_cap_waits_the_cap()
    {
        Assert.Equal([Ms(30), Ms(30)], Take(new Backoff(Ms(60), Ms(30)), 2));
    }

    [Fact]
    public void Jitter_draws_each_delay_between_half_and_all_of_the_deterministic_one()
    {
        var plain = new Backoff(Ms(100), Ms(5000));
        var jittered = new Backoff(Ms(100), Ms(5000), jitter: true, random: new Random(7));
        var seen = new HashSet<TimeSpan>();
        for (var i = 0; i < 200; i++)
        {
            Assert.True(plain.TryNext(out var expected));
            Assert.True(jittered.TryNext(out var delay));
            Assert.InRange(delay, expected / 2, expected);
            seen.Add(delay);
            if (i % 10 == 9)
            {
                plain.Reset();
                jittered.Reset();
            }
        }
        // Not a constant in disguise: the draws spread over the range.
        Assert.True(seen.Count > 100, $"only {seen.Count} distinct delays");
    }

    [Fact]
    public void Jitter_with_the_same_seed_repeats_and_without_jitter_every_run_is_the_same()
    {
        Assert.Equal(Take(new Backoff(Ms(100), Ms(5000), jitter: true, random: new Random(3)), 8),
            Take(new Backoff(Ms(100), Ms(5000), jitter: true, random: new Random(3)), 8));
        Assert.Equal(Take(new Backoff(Ms(100), Ms(5000)), 8), Take(new Backoff(Ms(100), Ms(5000)), 8));
    }

    [Fact]
    public void Rejects_settings_that_make_no_schedule()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Backoff(Ms(-1), Ms(10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Backoff(Ms(1), Ms(-10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Backoff(Ms(1), Ms(10), factor: 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Backoff(Ms(1), Ms(10), factor: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Backoff(Ms(1), Ms(10), maxAttempts: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Backoff(Ms(1), Ms(10)).DelayFor(0));
    }
}
