using StreamSeq.Cli.Tests.Support;
using StreamSeq.Nats.Tests.Support;

namespace StreamSeq.Nats.Tests;

/// <summary>
/// Several streamseq daemons (processes) share one work-queue consumer on a real nats-server: every work
/// message yields exactly one result in the results stream, whatever happens to a worker or the server.
/// </summary>
public sealed class ScaleOutTests
{
    private const int Messages = 1000;
    private static readonly TimeSpan AllDone = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Three_daemons_share_the_work_and_every_result_is_stored_once()
    {
        await using var bench = await WorkBench.StartAsync();
        bench.Configure(WorkBench.Pipeline(delay: "2ms"));
        for (var i = 0; i < 3; i++)
        {
            bench.StartDaemon();
        }
        await bench.WaitForWorkersAsync(3);
        var sequences = await bench.PublishWorkAsync(Messages);

        await WaitForResultsAsync(bench, Messages);
        await Eventually.TrueAsync(() => bench.Count(WorkBench.WorkStream) == 0, "every work message acked (removed from the work queue)",
            () => $"{bench.Count(WorkBench.WorkStream)} left{Environment.NewLine}{bench.DescribeDaemons()}", AllDone);
        var results = await bench.ReadResultsAsync();
        AssertExactlyOnce(results, sequences);
        var workers = results.GroupBy(r => r.Worker).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(workers.Count == 3, $"work should be spread over the 3 daemons: {string.Join(", ", workers.Select(w => $"{w.Key}={w.Value}"))}");
        await bench.StopDaemonsAsync();
        Assert.All(bench.Daemons, d => Assert.Equal(0, d.ExitCode));
    }

    [Fact]
    public async Task A_daemon_killed_mid_stream_loses_nothing_and_duplicates_nothing()
    {
        await using var bench = await WorkBench.StartAsync();
        bench.Configure(WorkBench.Pipeline(delay: "5ms", ackWait: "3s"));
        for (var i = 0; i < 3; i++)
        {
            bench.StartDaemon();
        }
        await bench.WaitForWorkersAsync(3);
        var sequences = await bench.PublishWorkAsync(Messages);

        await Eventually.TrueAsync(() => bench.Count(WorkBench.ResultsStream) >= 150, "some results before the kill",
            () => $"{bench.Count(WorkBench.ResultsStream)} results{Environment.NewLine}{bench.DescribeDaemons()}", AllDone);
        var victim = bench.Daemons[0];
        victim.Kill();
        Assert.True(await victim.WaitForExitAsync(TimeSpan.FromSeconds(10)), "the killed daemon did not exit");

        await WaitForResultsAsync(bench, Messages);
        await Eventually.TrueAsync(() => bench.Count(WorkBench.WorkStream) == 0, "every work message acked",
            () => $"{bench.Count(WorkBench.WorkStream)} left{Environment.NewLine}{bench.DescribeDaemons()}", AllDone);
        AssertExactlyOnce(await bench.ReadResultsAsync(), sequences);
    }

    [Fact]
    public async Task Daemons_reconnect_after_a_server_restart_and_finish()
    {
        await using var bench = await WorkBench.StartAsync();
        bench.Configure(WorkBench.Pipeline(delay: "5ms", ackWait: "3s"));
        for (var i = 0; i < 2; i++)
        {
            bench.StartDaemon();
        }
        await bench.WaitForWorkersAsync(2);
        var sequences = await bench.PublishWorkAsync(Messages);

        await Eventually.TrueAsync(() => bench.Count(WorkBench.ResultsStream) >= 150, "some results before the restart",
            () => $"{bench.Count(WorkBench.ResultsStream)} results{Environment.NewLine}{bench.DescribeDaemons()}", AllDone);
        await bench.Server.RestartAsync();

        await WaitForResultsAsync(bench, Messages);
        await Eventually.TrueAsync(() => bench.Count(WorkBench.WorkStream) == 0, "every work message acked",
            () => $"{bench.Count(WorkBench.WorkStream)} left{Environment.NewLine}{bench.DescribeDaemons()}", AllDone);
        AssertExactlyOnce(await bench.ReadResultsAsync(), sequences);
        Assert.All(bench.Daemons, d => Assert.False(d.HasExited, d.Describe()));
    }

    [Fact]
    public async Task A_poison_message_goes_to_the_dead_letter_subject_after_max_deliver_and_the_rest_complete()
    {
        await using var bench = await WorkBench.StartAsync();
        bench.Configure(WorkBench.Pipeline(maxDeliver: 3));
        bench.StartDaemon();
        await bench.WaitForWorkersAsync(1);
        var sequences = await bench.PublishWorkAsync(50, poison: 17);
        var poisonSequence = sequences[17];

        await WaitForResultsAsync(bench, 49);
        await Eventually.TrueAsync(() => bench.Count(WorkBench.DeadStream) == 1, "the poison message in the dead-letter stream",
            () => $"dead letters: {bench.Count(WorkBench.DeadStream)}{Environment.NewLine}{bench.DescribeDaemons()}", AllDone);
        await Eventually.TrueAsync(() => bench.Count(WorkBench.WorkStream) == 0, "the work queue empty (poison terminated, the rest acked)",
            () => $"{bench.Count(WorkBench.WorkStream)} left{Environment.NewLine}{bench.DescribeDaemons()}", AllDone);

        var dead = Assert.Single(await bench.ReadAllAsync(WorkBench.DeadStream));
        Assert.Equal($"{WorkBench.WorkStream}:{poisonSequence}", dead.Headers![StreamSeqHeaders.Origin].ToString());
        Assert.Equal("work.item1", dead.Headers[StreamSeqHeaders.DeadSubject].ToString());
        Assert.Contains("3 deliveries", dead.Headers[StreamSeqHeaders.DeadReason].ToString(), StringComparison.Ordinal);
        Assert.Equal("item 17", System.Text.Encoding.UTF8.GetString(dead.Data!));
        var results = await bench.ReadResultsAsync();
        AssertExactlyOnce(results, sequences.Where(s => s != poisonSequence).ToList());
        // Three deliveries, each failing in the fault stage: the daemon logged them as skipped failures.
        await bench.StopDaemonsAsync();
        Assert.Contains("dead-letter subject 'streamseq.dead.WORK'", bench.DescribeDaemons(), StringComparison.Ordinal);
    }

    private static async Task WaitForResultsAsync(WorkBench bench, int count)
        => await Eventually.TrueAsync(() => bench.Count(WorkBench.ResultsStream) >= count, $"{count} results",
            () => $"{bench.Count(WorkBench.ResultsStream)} results, {bench.Count(WorkBench.WorkStream)} work messages left{Environment.NewLine}{bench.Server.Describe()}{Environment.NewLine}{bench.DescribeDaemons()}", AllDone);

    private static void AssertExactlyOnce(List<Result> results, List<ulong> sequences)
    {
        var expected = sequences.Select(s => $"{WorkBench.WorkStream}:{s}").ToHashSet();
        var duplicates = results.GroupBy(r => r.Origin).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"results stored more than once: {string.Join(", ", duplicates.Take(20))}");
        var missing = expected.Except(results.Select(r => r.Origin)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} work messages have no result: {string.Join(", ", missing.Take(20))}");
        Assert.Equal(expected.Count, results.Count);
        Assert.All(results, r => Assert.Equal(r.Origin, r.MsgId));
    }
}
