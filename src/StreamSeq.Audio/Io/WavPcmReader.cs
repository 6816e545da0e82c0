using StreamSeq.Audio.Wav;

namespace StreamSeq.Audio.Io;

/// <summary>A WAV file as an <see cref="IPcmReader"/>.</summary>
public sealed class WavPcmReader : IPcmReader
{
    private readonly WavReader _reader;

    /// <summary>Opens a WAV file (its header is checked here).</summary>
    public WavPcmReader(string path) => _reader = new WavReader(path);

    /// <summary>Reads a WAV stream.</summary>
    public WavPcmReader(Stream stream, string name, bool ownsStream = false) => _reader = new WavReader(stream, name, ownsStream);

    /// <summary>The format of the file.</summary>
    public WavFormat Format => _reader.Format;

    /// <inheritdoc />
    public int SampleRate => _reader.Format.SampleRate;

    /// <inheritdoc />
    public int Channels => _reader.Format.Channels;

    /// <inheritdoc />
    public ValueTask<int> ReadAsync(Memory<float> destination, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_reader.Read(destination.Span));
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        return ValueTask.CompletedTask;
    }
}
