namespace StreamSeq.Audio;

/// <summary>A payload that carries audio: <see cref="AudioChunk"/> (a stream) or
/// <see cref="Vad.UtteranceEvent"/> (an utterance). Lets stages such as <c>audio.features</c> take either while
/// pipeline validation still rejects non-audio inputs.</summary>
public interface IAudioPayload
{
    /// <summary>Samples per second.</summary>
    int SampleRate { get; }
}
