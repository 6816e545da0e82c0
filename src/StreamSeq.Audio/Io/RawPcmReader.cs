using StreamSeq.Audio.Wav;

namespace StreamSeq.Audio.Io;

/// <summary>Headerless little-endian PCM from a stream (stdin, a socket, a child process's output).</summary>
public sealed class RawPcmReader : IPcmReader
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly WavFormat _format;
    private byte[] _buffer = [];
    private int _fill;

    /// <summary>Reads <paramref name="format"/> from <paramref name="stream"/>.</summary>
    /// <param name="stream">The stream of samples.</param>
    /// <param name="format">Rate, channels and sample encoding of the bytes.</param>
    /// <param name="name">The name errors use.</param>
    /// <param name="ownsStream">Whether disposing the reader disposes the stream.</param>
    public RawPcmReader(Stream stream, WavFormat format, string name, bool ownsStream = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(format);
        _stream = stream;
        _format = format;
        _ownsStream = ownsStream;
        Name = name;
    }

    /// <summary>The stream's name in messages.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public int SampleRate => _format.SampleRate;

    /// <inheritdoc />
    public int Channels => _format.Channels;

    /// <summary>Bytes left over that did not make a whole frame when the stream ended.</summary>
    public int TrailingBytes { get; private set; }

    /// <inheritdoc />
    public async ValueTask<int> ReadAsync(Memory<float> destination, CancellationToken cancellationToken)
    {
        var frames = destination.Length / _format.Channels;
        if (frames == 0)
        {
            throw new ArgumentException("destination holds less than one frame", nameof(destination));
        }
        var wanted = frames * _format.BlockAlign;
        if (_buffer.Length < wanted)
        {
            Array.Resize(ref _buffer, wanted);
        }
        while (_fill < _format.BlockAlign)
        {
            var n = await _stream.ReadAsync(_buffer.AsMemory(_fill, wanted - _fill), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                TrailingBytes = _fill;
                _fill = 0;
                return 0;
            }
            _fill += n;
        }
        var whole = _fill / _format.BlockAlign;
        var bytes = whole * _format.BlockAlign;
        SampleCodec.Decode(_buffer.AsSpan(0, bytes), destination.Span[..(whole * _format.Channels)], _format.SampleFormat);
        _buffer.AsSpan(bytes, _fill - bytes).CopyTo(_buffer);
        _fill -= bytes;
        return whole * _format.Channels;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_ownsStream)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}
