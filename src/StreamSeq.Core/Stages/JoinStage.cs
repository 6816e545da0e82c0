using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Threading.Channels;

namespace StreamSeq.Stages;

/// <summary>How <c>join</c> matches secondary packets to a primary one.</summary>
public enum JoinMode
{
    /// <summary>Same originating time.</summary>
    Exact,

    /// <summary>The closest originating time within the tolerance.</summary>
    Nearest,
}

/// <summary>Options of <c>join</c>.</summary>
public sealed class JoinOptions : IValidatableObject
{
    [Description("exact: same originating time; nearest: closest time within tolerance")]
    public JoinMode Mode { get; init; } = JoinMode.Exact;

    [Description("nearest: the largest time difference that still matches")]
    public TimeSpan Tolerance { get; init; } = TimeSpan.FromMilliseconds(50);

    [Description("Emit a primary packet even when a secondary stream has no match (its value is null)")]
    public bool EmitUnmatched { get; init; }

    [Description("Most packets held per input while matching; a full input is not read until the others catch up")]
    [Range(1, 1_000_000)]
    public int MaxBuffered { get; init; } = 1024;

    [Description("How long a primary waits for a silent secondary (a dead camera) before being decided without it")]
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Tolerance < TimeSpan.Zero)
        {
            yield return new ValidationResult("'tolerance' cannot be negative", [nameof(Tolerance)]);
        }
    }
}

/// <summary>
/// Aligns several streams by originating time. The first input is the primary: each of its packets is
/// matched with the packet of every other input whose time is equal (exact) or nearest within tolerance
/// (nearest). A match is decided only once a secondary stream has moved past the primary's time plus the
/// tolerance (or ended), so the result does not depend on arrival order or timing — it is reproducible.
/// </summary>
/// <remarks>
/// Each port holds at most <c>maxBuffered</c> packets; a port that is full is not read until the primary
/// catches up (back-pressure, so nothing a pending primary could match is thrown away). Only when waiting
/// could never end — a secondary port full of packets that are all still candidates, or a secondary that
/// has said nothing for <c>stallTimeout</c> — is the oldest primary decided with what has arrived. When the primary ends, the join ends: later secondary packets could match nothing.
/// </remarks>
[Stage("join", Description = "Aligns streams by originating time: exact, or nearest within a tolerance; the first input drives", ManyInputs = true)]
public sealed class JoinStage : MultiInputStage<object, Joined>
{
    private readonly JoinOptions _options;

    public JoinStage(JoinOptions options) => _options = options;

    private readonly record struct Arrival(int Port, Packet<object> Packet, bool Completed);

    /// <summary>One port's packets waiting to be matched, and the slots that bound how many it may hold.</summary>
    private sealed class Port(int capacity)
    {
        private readonly int _capacity = capacity;

        public LinkedList<Packet<object>> Queue { get; } = new();

        public SemaphoreSlim Slots { get; } = new(capacity, capacity);

        public bool Completed { get; set; }

        /// <summary>
        /// The queue itself holds the bound. (Slots can all be taken by packets still on their way, which the
        /// next look at the arrivals adds: that is not full.)
        /// </summary>
        public bool Full => Queue.Count >= _capacity;

        /// <summary>When the port last delivered a packet (a <see cref="Stopwatch"/> timestamp).</summary>
        public long LastArrival { get; set; } = Stopwatch.GetTimestamp();

        public void RemoveFirst(AckOutcome? release)
        {
            var packet = Queue.First!.Value;
            Queue.RemoveFirst();
            if (release is { } outcome)
            {
                packet.Release(outcome);
            }
            Slots.Release();
        }
    }

    public override async Task RunAsync(IReadOnlyList<StageInput<object>> inputs, Emitter<Joined> output, CancellationToken cancellationToken)
    {
        var names = inputs.Select(i => i.Name).ToArray();
        var ports = inputs.Select(_ => new Port(_options.MaxBuffered)).ToArray();
        var tolerance = _options.Mode == JoinMode.Exact ? TimeSpan.Zero : _options.Tolerance;

        var arrivals = Channel.CreateUnbounded<Arrival>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var readers = inputs.Select((input, i) => PumpAsync(input, ports[i].Slots, arrivals.Writer, stop.Token)).ToArray();
        Task<bool>? waiting = null;
        Task? stallCheck = null;
        var failed = false;
        try
        {
            while (!(ports[0].Completed && ports[0].Queue.Count == 0))
            {
                waiting ??= arrivals.Reader.WaitToReadAsync(cancellationToken).AsTask();
                if (!waiting.IsCompleted && ports[0].Queue.Count > 0)
                {
                    // A pending primary may wait on a silent secondary: wake up now and then to look for a stall.
                    // One timer per stall period, not per arrival; the check itself uses arrival times.
                    stallCheck ??= Task.Delay(UntilNextStall(ports, tolerance), stop.Token);
                    await Task.WhenAny(waiting, stallCheck).ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                    if (stallCheck.IsCompleted)
                    {
                        stallCheck = null;
                    }
                }
                if (waiting.IsCompleted || ports[0].Queue.Count == 0)
                {
                    if (!await waiting.ConfigureAwait(false))
                    {
                        break;
                    }
                    waiting = null;
                }
                while (arrivals.Reader.TryRead(out var arrival))
                {
                    var port = ports[arrival.Port];
                    port.LastArrival = Stopwatch.GetTimestamp();
                    if (arrival.Completed)
                    {
                        port.Completed = true;
                    }
                    else
                    {
                        port.Queue.AddLast(arrival.Packet);
                    }
                }
                await EmitDecidedAsync(names, ports, tolerance, output, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            // Pumps handle their own cancellation; whatever else ended them must not skip the releases below.
            await Task.WhenAll(readers).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            arrivals.Writer.TryComplete();
            while (arrivals.Reader.TryRead(out var left))
            {
                if (!left.Completed)
                {
                    left.Packet.Release(AckOutcome.Dropped);
                }
            }
            // Packets still queued were never joined: on a normal end they simply matched nothing more.
            var outcome = failed ? AckOutcome.Failed : cancellationToken.IsCancellationRequested ? AckOutcome.Dropped : AckOutcome.Completed;
            foreach (var port in ports)
            {
                while (port.Queue.Count > 0)
                {
                    port.RemoveFirst(outcome);
                }
                port.Slots.Dispose();
            }
        }
    }

    private async ValueTask EmitDecidedAsync(string[] names, Port[] ports, TimeSpan tolerance, Emitter<Joined> output, CancellationToken cancellationToken)
    {
        var primary = ports[0];
        while (primary.Queue.First is { } head)
        {
            var time = head.Value.OriginatingTime;
            var horizon = Add(time, tolerance);
            var floor = Subtract(time, tolerance);
            for (var i = 1; i < ports.Length; i++)
            {
                // Older than this primary's window: no later primary can match it either (primaries come in
                // time order). Letting go frees the port to read on.
                while (ports[i].Queue.First is { } old && old.Value.OriginatingTime < floor)
                {
                    ports[i].RemoveFirst(AckOutcome.Completed);
                }
            }
            if (!Decidable(ports, horizon) && !MustDecide(ports, horizon))
            {
                return;
            }
            primary.RemoveFirst(release: null); // its share moves into the result (or is released below)
            var members = new Packet<object>?[ports.Length];
            members[0] = head.Value;
            var matchedAll = true;
            for (var i = 1; i < ports.Length; i++)
            {
                var port = ports[i];
                LinkedListNode<Packet<object>>? best = null;
                for (var node = port.Queue.First; node is not null && node.Value.OriginatingTime <= horizon; node = node.Next)
                {
                    if (best is null || (node.Value.OriginatingTime - time).Duration() < (best.Value.OriginatingTime - time).Duration())
                    {
                        best = node;
                    }
                }
                if (best is null)
                {
                    matchedAll = false;
                }
                else
                {
                    // A secondary packet may match several primaries (a slower stream): each result takes a share.
                    members[i] = best.Value.Retain();
                }
            }
            if (!matchedAll && !_options.EmitUnmatched)
            {
                foreach (var member in members)
                {
                    member?.Release();
                }
                continue;
            }
            var joined = new Joined(names, members, time);
            await output.EmitAsync(joined, time, joined.CreateAck(), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Every secondary has a packet past the horizon, or has ended: nothing that could still arrive matches better.</summary>
    private static bool Decidable(Port[] ports, DateTime horizon)
    {
        for (var i = 1; i < ports.Length; i++)
        {
            var last = ports[i].Queue.Last;
            if (!ports[i].Completed && (last is null || last.Value.OriginatingTime <= horizon))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Waiting could never end: a secondary's port is full of candidates and will not be read until the
    /// primary moves on, or a secondary the primary waits for has been silent for the stall timeout.
    /// </summary>
    private bool MustDecide(Port[] ports, DateTime horizon)
    {
        var blockingSecondaries = ports.Skip(1).Where(p => !p.Completed && (p.Queue.Last is null || p.Queue.Last.Value.OriginatingTime <= horizon));
        return blockingSecondaries.Any(p => p.Full || Stopwatch.GetElapsedTime(p.LastArrival) >= _options.StallTimeout);
    }

    /// <summary>
    /// How long until the quietest secondary that the oldest primary waits for would count as stalled
    /// (at least a millisecond; the full timeout when it waits for none).
    /// </summary>
    private TimeSpan UntilNextStall(Port[] ports, TimeSpan tolerance)
    {
        var horizon = ports[0].Queue.First is { } head ? Add(head.Value.OriginatingTime, tolerance) : DateTime.MaxValue;
        var quietest = ports.Skip(1)
            .Where(p => !p.Completed && (p.Queue.Last is null || p.Queue.Last.Value.OriginatingTime <= horizon))
            .Select(p => Stopwatch.GetElapsedTime(p.LastArrival))
            .DefaultIfEmpty(TimeSpan.Zero)
            .Max();
        var left = _options.StallTimeout - quietest;
        return left > TimeSpan.FromMilliseconds(1) ? left : TimeSpan.FromMilliseconds(1);
    }

    private static DateTime Add(DateTime time, TimeSpan span) => time.Ticks > DateTime.MaxValue.Ticks - span.Ticks ? DateTime.MaxValue : time + span;

    private static DateTime Subtract(DateTime time, TimeSpan span) => time.Ticks < span.Ticks ? DateTime.MinValue : time - span;

    private static async Task PumpAsync(StageInput<object> input, SemaphoreSlim slots, ChannelWriter<Arrival> arrivals, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                // A slot first: a port that holds maxBuffered packets is not read (back-pressure upstream).
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (!await input.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    slots.Release();
                    break;
                }
                if (input.Reader.TryRead(out var packet))
                {
                    arrivals.TryWrite(new Arrival(input.Index, packet, false));
                }
                else
                {
                    slots.Release();
                }
            }
            arrivals.TryWrite(new Arrival(input.Index, default, true));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
