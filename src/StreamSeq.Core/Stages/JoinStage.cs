using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
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

    [Description("Most packets kept per secondary stream while waiting for the primary (oldest dropped beyond)")]
    [Range(1, 1_000_000)]
    public int MaxBuffered { get; init; } = 1024;

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
[Stage("join", Description = "Aligns streams by originating time: exact, or nearest within a tolerance; the first input drives", ManyInputs = true)]
public sealed class JoinStage : MultiInputStage<object, Joined>
{
    private readonly JoinOptions _options;

    public JoinStage(JoinOptions options) => _options = options;

    private readonly record struct Arrival(int Port, Packet<object> Packet, bool Completed);

    public override async Task RunAsync(IReadOnlyList<StageInput<object>> inputs, Emitter<Joined> output, CancellationToken cancellationToken)
    {
        var ports = inputs.Select(i => i.Name).ToArray();
        var queues = inputs.Select(_ => new LinkedList<Packet<object>>()).ToArray();
        var completed = new bool[inputs.Count];
        var tolerance = _options.Mode == JoinMode.Exact ? TimeSpan.Zero : _options.Tolerance;

        // One reader per port feeds a small bounded queue, so a fast stream cannot run ahead unboundedly.
        var arrivals = Channel.CreateBounded<Arrival>(new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.Wait });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var readers = inputs.Select(input => PumpAsync(input, arrivals.Writer, stop.Token)).ToArray();
        var remaining = inputs.Count;
        try
        {
            while (remaining > 0 && await arrivals.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (arrivals.Reader.TryRead(out var arrival))
                {
                    if (arrival.Completed)
                    {
                        completed[arrival.Port] = true;
                        remaining--;
                    }
                    else
                    {
                        queues[arrival.Port].AddLast(arrival.Packet);
                        if (arrival.Port > 0 && queues[arrival.Port].Count > _options.MaxBuffered)
                        {
                            queues[arrival.Port].First!.Value.Release(AckOutcome.Dropped);
                            queues[arrival.Port].RemoveFirst();
                        }
                    }
                    await EmitDecidedAsync(ports, queues, completed, tolerance, output, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(readers).ConfigureAwait(false);
            while (arrivals.Reader.TryRead(out var left))
            {
                if (!left.Completed)
                {
                    left.Packet.Release(AckOutcome.Dropped);
                }
            }
            foreach (var queue in queues)
            {
                foreach (var packet in queue)
                {
                    packet.Release(cancellationToken.IsCancellationRequested ? AckOutcome.Dropped : AckOutcome.Completed);
                }
                queue.Clear();
            }
        }
    }

    private async ValueTask EmitDecidedAsync(string[] ports, LinkedList<Packet<object>>[] queues, bool[] completed, TimeSpan tolerance,
        Emitter<Joined> output, CancellationToken cancellationToken)
    {
        var primary = queues[0];
        while (primary.First is { } head)
        {
            var time = head.Value.OriginatingTime;
            // Decidable when every secondary has a packet past time + tolerance, or has ended. A secondary
            // that stalls (a dead camera) is given up on once the primary backlog exceeds the bound.
            var force = primary.Count > _options.MaxBuffered;
            for (var port = 1; port < queues.Length && !force; port++)
            {
                var last = queues[port].Last;
                if (!completed[port] && (last is null || last.Value.OriginatingTime <= time + tolerance))
                {
                    return;
                }
            }
            primary.RemoveFirst();
            var members = new Packet<object>?[queues.Length];
            members[0] = head.Value;
            var matchedAll = true;
            for (var port = 1; port < queues.Length; port++)
            {
                var queue = queues[port];
                // Older than any future primary can match (primaries come in time order): let go.
                while (queue.First is { } old && old.Value.OriginatingTime < time - tolerance)
                {
                    old.Value.Release();
                    queue.RemoveFirst();
                }
                LinkedListNode<Packet<object>>? best = null;
                for (var node = queue.First; node is not null && node.Value.OriginatingTime <= time + tolerance; node = node.Next)
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
                    members[port] = best.Value.Retain();
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
            var joined = new Joined(ports, members, time);
            await output.EmitAsync(joined, time, joined.CreateAck(), cancellationToken).ConfigureAwait(false);
        }
        // With the primary ended, nothing more can be decided.
        if (completed[0] && primary.First is null)
        {
            for (var port = 1; port < queues.Length; port++)
            {
                foreach (var packet in queues[port])
                {
                    packet.Release();
                }
                queues[port].Clear();
            }
        }
    }

    private static async Task PumpAsync(StageInput<object> input, ChannelWriter<Arrival> arrivals, CancellationToken cancellationToken)
    {
        try
        {
            while (await input.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (input.Reader.TryRead(out var packet))
                {
                    try
                    {
                        await arrivals.WriteAsync(new Arrival(input.Index, packet, false), cancellationToken).ConfigureAwait(false);
                    }
                    catch
                    {
                        packet.Release(AckOutcome.Dropped);
                        throw;
                    }
                }
            }
            await arrivals.WriteAsync(new Arrival(input.Index, default, true), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
