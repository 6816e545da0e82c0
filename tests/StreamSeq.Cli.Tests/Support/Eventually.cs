namespace StreamSeq.Cli.Tests.Support;

/// <summary>
/// Waiting for something another process does: poll a condition until a generous deadline, never sleep a
/// guessed time. A deadline that passes fails the test with a description of what was last seen.
/// </summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    /// <param name="condition">Checked every 50 ms.</param>
    /// <param name="what">What is awaited, for the failure message.</param>
    /// <param name="seen">What was seen instead (a log, a line count), for the failure message.</param>
    /// <param name="timeout">The deadline (default 20 s).</param>
    public static async Task TrueAsync(Func<bool> condition, string what, Func<string> seen, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {(timeout ?? DefaultTimeout).TotalSeconds:0} s waiting for {what}{Environment.NewLine}{seen()}");
            }
            await Task.Delay(Interval);
        }
    }
}
