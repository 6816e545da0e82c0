using System.Text.Json.Serialization;

namespace StreamSeq;

/// <summary>
/// Packets of several streams matched by originating time, as made by <c>join</c>: one value per input
/// port (null when a secondary stream had no match within tolerance). Holds one share of each member until
/// <see cref="ReleaseMembers"/>, which the acknowledgement of the packet carrying it calls (see
/// <see cref="Window{T}"/>).
/// </summary>
public sealed class Joined
{
    private readonly Packet<object>?[] _members;
    private readonly string[] _ports;
    private int _released;

    /// <summary>Creates a join result that takes over one share of each present member.</summary>
    public Joined(string[] ports, Packet<object>?[] members, DateTime time)
    {
        if (ports.Length != members.Length)
        {
            throw new ArgumentException("Each port needs a member slot.", nameof(members));
        }
        _ports = ports;
        _members = members;
        Time = time;
    }

    /// <summary>The originating time of the primary packet.</summary>
    public DateTime Time { get; }

    /// <summary>The payload per port, null where no packet matched.</summary>
    public IReadOnlyDictionary<string, object?> Values
        => _ports.Select((port, i) => (port, value: _members[i]?.Payload)).ToDictionary(x => x.port, x => x.value);

    /// <summary>The matched packet per port (valid until disposed).</summary>
    [JsonIgnore]
    public IReadOnlyList<Packet<object>?> Members => _members;

    /// <summary>Releases the members with <paramref name="outcome"/>. Idempotent.</summary>
    public void ReleaseMembers(AckOutcome outcome)
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }
        foreach (var member in _members)
        {
            member?.Release(outcome);
        }
    }

    /// <summary>An acknowledgement that releases the members when it settles: emit the join with it.</summary>
    public AckToken CreateAck() => new(ReleaseMembers);
}
