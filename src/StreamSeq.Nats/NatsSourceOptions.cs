using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace StreamSeq.Nats;

/// <summary>Where a work stream is stored.</summary>
public enum NatsStorage
{
    /// <summary>On disk: survives a server restart.</summary>
    File,

    /// <summary>In memory: faster, lost when the server stops.</summary>
    Memory,
}

/// <summary>How a stream that <c>nats.source</c> creates keeps messages.</summary>
public enum NatsRetention
{
    /// <summary>A work queue: a message is removed once acked; each goes to one worker.</summary>
    WorkQueue,

    /// <summary>Kept up to the stream's limits; acking only moves this consumer on (for reading results).</summary>
    Limits,
}

/// <summary>Options of <c>nats.source</c>.</summary>
public sealed class NatsSourceOptions : IValidatableObject
{
    [Description("Name of the connection in the settings (Nats:Connections:NAME in appsettings.json or STREAMSEQ_Nats__Connections__NAME__Url); never a URL")]
    public string Connection { get; init; } = NatsConnectionSettings.DefaultName;

    [Description("JetStream work-queue stream to consume (created if missing)")]
    [RequiredOption]
    public string Stream { get; init; } = "";

    [Description("Subject the consumer takes (its single filter subject; wildcards allowed)")]
    [RequiredOption]
    public string Subject { get; init; } = "";

    [Description("Subjects of the stream when it is created; default: the consumer's subject")]
    public string[] Subjects { get; init; } = [];

    [Description("Durable consumer shared by every worker running this pipeline")]
    public string Consumer { get; init; } = "streamseq";

    [Description("How long the server waits for a delivered message's ack before giving it to another worker")]
    public TimeSpan AckWait { get; init; } = TimeSpan.FromSeconds(30);

    [Description("Deliveries of one message before it goes to the dead-letter subject (-1: unlimited)")]
    [Range(-1, 10_000)]
    public int MaxDeliver { get; init; } = 5;

    [Description("Delays before a failed message is delivered again: the n-th failure waits backoff[n-1], the last repeats; empty: nakDelay")]
    public TimeSpan[] Backoff { get; init; } = [];

    [Description("Delay before a failed message is delivered again when no backoff is given")]
    public TimeSpan NakDelay { get; init; } = TimeSpan.FromSeconds(1);

    [Description("Messages delivered and not yet acked, over all workers of the consumer")]
    [Range(1, 1_000_000)]
    public int MaxAckPending { get; init; } = 1000;

    [Description("Messages each worker pulls ahead of its pipeline; small, so one busy worker does not hoard work")]
    [Range(1, 1024)]
    public int Prefetch { get; init; } = 16;

    [Description("How often a message still in the pipeline is reported in progress (resets its ack wait); default a third of ackWait; 0 never")]
    public TimeSpan? AckProgress { get; init; }

    [Description("Subject failed messages go to after maxDeliver deliveries; default streamseq.dead.STREAM")]
    public string DeadLetterSubject { get; init; } = "";

    [Description("Stream created to keep dead letters (limits retention) when missing; default STREAM_DEAD; 'none' creates none")]
    public string DeadLetterStream { get; init; } = "";

    [Description("Retention of the stream when this stage creates it: work-queue (each message to one worker, removed when acked) or limits (e.g. to read a results stream)")]
    public NatsRetention Retention { get; init; } = NatsRetention.WorkQueue;

    [Description("Storage of streams this stage creates")]
    public NatsStorage Storage { get; init; } = NatsStorage.File;

    [Description("Fetch bodies that the publisher stored by reference (object store, file) before emitting")]
    public bool ResolveReferences { get; init; } = true;

    [Description("At stop, how long to wait for messages still in the pipeline to be acked")]
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(5);

    internal string EffectiveDeadLetterSubject => DeadLetterSubject is { Length: > 0 } s ? s : $"streamseq.dead.{Stream}";

    internal string? EffectiveDeadLetterStream => DeadLetterStream switch
    {
        "none" => null,
        { Length: > 0 } s => s,
        _ => $"{Stream}_DEAD",
    };

    internal TimeSpan EffectiveAckProgress => AckProgress ?? TimeSpan.FromTicks(AckWait.Ticks / 3);

    internal TimeSpan DelayAfterFailure(ulong delivery)
        => Backoff.Length == 0 ? NakDelay : Backoff[(int)Math.Min(Math.Max(delivery, 1) - 1, (ulong)Backoff.Length - 1)];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var problems = new List<ValidationResult>();
        void Check(string? problem, string member)
        {
            if (problem is not null)
            {
                problems.Add(new ValidationResult(problem, [member]));
            }
        }
        if (Stream.Length > 0)
        {
            Check(JetStreamSetup.CheckName(Stream, "stream"), nameof(Stream));
        }
        Check(JetStreamSetup.CheckName(Consumer, "consumer"), nameof(Consumer));
        if (Subject.Length > 0)
        {
            Check(JetStreamSetup.CheckSubject(Subject, "subject", allowWildcards: true), nameof(Subject));
        }
        foreach (var subject in Subjects)
        {
            Check(JetStreamSetup.CheckSubject(subject, "subjects", allowWildcards: true), nameof(Subjects));
        }
        if (DeadLetterSubject.Length > 0)
        {
            Check(JetStreamSetup.CheckSubject(DeadLetterSubject, "deadLetterSubject", allowWildcards: false), nameof(DeadLetterSubject));
        }
        if (DeadLetterStream is { Length: > 0 } and not "none")
        {
            Check(JetStreamSetup.CheckName(DeadLetterStream, "deadLetterStream"), nameof(DeadLetterStream));
        }
        if (AckWait < TimeSpan.FromSeconds(1))
        {
            Check("'ackWait' must be at least 1s", nameof(AckWait));
        }
        if (MaxDeliver == 0)
        {
            Check("'maxDeliver' is at least 1, or -1 for unlimited", nameof(MaxDeliver));
        }
        if (Backoff.Any(b => b < TimeSpan.Zero) || NakDelay < TimeSpan.Zero)
        {
            Check("'backoff' and 'nakDelay' must not be negative", nameof(Backoff));
        }
        if (AckProgress is { } progress && (progress < TimeSpan.Zero || (progress > TimeSpan.Zero && progress >= AckWait)))
        {
            Check("'ackProgress' must be 0 (never) or shorter than 'ackWait'", nameof(AckProgress));
        }
        if (SettleTimeout < TimeSpan.Zero)
        {
            Check("'settleTimeout' must not be negative", nameof(SettleTimeout));
        }
        Check(NatsStageSettings.CheckConnection(Connection), nameof(Connection));
        return problems;
    }
}
