using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace StreamSeq.Nats.Tests;

/// <summary>Connection settings, server versions and option checks, without a server.</summary>
public sealed class SettingsTests : IDisposable
{
    public SettingsTests() => NatsConnections.Configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Nats:Connections:edge:Url"] = "tls://nats.example.net:4222",
        ["Nats:Connections:edge:CredentialsFile"] = "/etc/streamseq/worker.creds",
        ["Nats:Connections:edge:Tls:Mode"] = "Require",
        ["Nats:Connections:bad:Url"] = "http://example.net",
    }).Build();

    public void Dispose() => NatsConnections.Configuration = null;

    [Theory]
    [InlineData("2.9.10", 2, 9, 10)]
    [InlineData("2.11.0-RC.1", 2, 11, 0)]
    [InlineData("2.10", 2, 10, -1)]
    public void Server_versions_parse_with_or_without_a_suffix(string text, int major, int minor, int build)
    {
        var version = NatsConnector.ParseVersion(text)!;
        Assert.Equal((major, minor, build), (version.Major, version.Minor, version.Build));
        Assert.True(version >= NatsConnector.MinimumServerVersion);
        Assert.True(NatsConnector.ParseVersion("2.8.4") < NatsConnector.MinimumServerVersion);
        Assert.Null(NatsConnector.ParseVersion(""));
    }

    [Fact]
    public void A_named_connection_is_read_from_the_settings_and_default_has_a_local_fallback()
    {
        var edge = NatsConnections.Resolve("edge");
        Assert.Equal("tls://nats.example.net:4222", edge.Url);
        Assert.Equal("/etc/streamseq/worker.creds", edge.CredentialsFile);
        Assert.Equal(NATS.Client.Core.TlsMode.Require, edge.Tls.Mode);
        Assert.Equal("nats://127.0.0.1:4222", NatsConnections.Resolve(null).Url);
        var unknown = Assert.Throws<NatsSettingsException>(() => NatsConnections.Resolve("nope"));
        Assert.Contains("no NATS connection named 'nope'", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("known: edge, bad", unknown.Message.Replace("bad, edge", "edge, bad", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_that_cannot_work_name_the_setting()
    {
        var missing = Assert.Throws<NatsSettingsException>(() => NatsConnections.Resolve("edge").ToOpts("edge", "test"));
        Assert.Contains("CredentialsFile '/etc/streamseq/worker.creds' does not exist (Nats:Connections:edge:CredentialsFile)", missing.Message, StringComparison.Ordinal);
        var scheme = Assert.Throws<NatsSettingsException>(() => NatsConnections.Resolve("bad").ToOpts("bad", "test"));
        Assert.Contains("'http://example.net' is not a nats://", scheme.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Source_options_are_checked_before_anything_starts()
    {
        var options = new NatsSourceOptions
        {
            Stream = "my.stream",
            Subject = "work.>",
            Consumer = "workers",
            MaxDeliver = 0,
            AckWait = TimeSpan.FromSeconds(10),
            AckProgress = TimeSpan.FromSeconds(20),
            Connection = "nope",
        };
        var problems = options.Validate(new ValidationContext(options)).Select(p => p.ErrorMessage).ToList();
        Assert.Contains(problems, p => p!.Contains("'stream' ('my.stream') must not contain", StringComparison.Ordinal));
        Assert.Contains(problems, p => p!.Contains("'maxDeliver' is at least 1", StringComparison.Ordinal));
        Assert.Contains(problems, p => p!.Contains("'ackProgress' must be 0 (never) or shorter than 'ackWait'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p!.Contains("no NATS connection named 'nope'", StringComparison.Ordinal));
    }

    [Fact]
    public void Failed_deliveries_wait_along_the_backoff_and_the_last_delay_repeats()
    {
        var options = new NatsSourceOptions { Stream = "W", Subject = "w.>", Backoff = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)] };
        Assert.Equal([1, 5, 5], new ulong[] { 1, 2, 3 }.Select(d => options.DelayAfterFailure(d).TotalSeconds));
        Assert.Equal(TimeSpan.FromSeconds(1), new NatsSourceOptions().DelayAfterFailure(4));
        Assert.Equal(TimeSpan.FromSeconds(10), new NatsSourceOptions { AckWait = TimeSpan.FromSeconds(30) }.EffectiveAckProgress);
        Assert.Equal("streamseq.dead.W", options.EffectiveDeadLetterSubject);
        Assert.Equal("W_DEAD", options.EffectiveDeadLetterStream);
        Assert.Null(new NatsSourceOptions { Stream = "W", DeadLetterStream = "none" }.EffectiveDeadLetterStream);
    }

    [Fact]
    public void The_origin_travels_with_the_acknowledgement_to_every_derived_packet()
    {
        var settled = new List<AckOutcome>();
        var ack = new AckToken(settled.Add);
        var origin = new NatsOrigin("WORK", 42, "work.a", 1);
        origin.Attach(ack);
        var packet = new Packet<string>("x", DateTime.UtcNow, 0, "in", Lease.Create("x", ack));
        var derived = packet.Derive(17);
        Assert.Same(origin, NatsOrigin.Of(derived));
        Assert.Equal("WORK:42", NatsOrigin.Of(packet)!.Id);
        Assert.Null(NatsOrigin.Of(new Packet<int>(1, DateTime.UtcNow, 0, "other")));
        derived.Release();
        packet.Release();
        Assert.Equal([AckOutcome.Completed], settled);
    }
}
