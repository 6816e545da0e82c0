using System.Text.Json.Serialization;

namespace StreamSeq.Nats;

/// <summary>
/// The payload <c>nats.source</c> emits: one work message, its body (an encoded frame, an audio chunk, JSON)
/// and the StreamSeq headers the publisher wrote. The body is left out of JSON output (results carry what
/// was computed, not the frame).
/// </summary>
public sealed class NatsMessage
{
    /// <summary>Creates a message payload.</summary>
    public NatsMessage(string subject, byte[] data, IReadOnlyDictionary<string, string> headers, NatsOrigin origin)
    {
        Subject = subject;
        Data = data;
        Headers = headers;
        Origin = origin;
    }

    /// <summary>The subject it was published to.</summary>
    public string Subject { get; }

    /// <summary>The body (for a reference, the referenced bytes once the source resolved them).</summary>
    [JsonIgnore]
    public byte[] Data { get; }

    /// <summary>Bytes in <see cref="Data"/>.</summary>
    public int Length => Data.Length;

    /// <summary>The message headers (first value of each).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>Where the message is stored in JetStream.</summary>
    public NatsOrigin Origin { get; }

    /// <summary>The publisher's stream id (<see cref="StreamSeqHeaders.StreamId"/>), if any.</summary>
    [JsonIgnore]
    public string? StreamId => Headers.GetValueOrDefault(StreamSeqHeaders.StreamId);

    /// <summary>The publisher's sequence number (<see cref="StreamSeqHeaders.Sequence"/>), if any.</summary>
    [JsonIgnore]
    public long? Sequence => long.TryParse(Headers.GetValueOrDefault(StreamSeqHeaders.Sequence), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : null;

    /// <summary>The body's content type (<see cref="StreamSeqHeaders.ContentType"/>), if any.</summary>
    [JsonIgnore]
    public string? ContentType => Headers.GetValueOrDefault(StreamSeqHeaders.ContentType);

    /// <inheritdoc />
    public override string ToString() => $"{Subject} {Origin} ({Data.Length} bytes)";
}
