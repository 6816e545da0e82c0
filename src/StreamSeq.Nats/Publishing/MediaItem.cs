namespace StreamSeq.Nats.Publishing;

/// <summary>One encoded sample to publish: a JPEG/PNG frame or an audio chunk, and when it was taken.</summary>
/// <param name="Data">The encoded bytes.</param>
/// <param name="ContentType">What <paramref name="Data"/> holds (<c>image/jpeg</c>, <c>audio/L16;rate=16000;channels=1</c>).</param>
/// <param name="Offset">Media time since the start of the input.</param>
/// <param name="Name">Where it came from (a file name, a frame index), for messages.</param>
public sealed record MediaItem(byte[] Data, string ContentType, TimeSpan Offset, string Name);
