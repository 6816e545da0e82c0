using System.Buffers.Binary;

namespace StreamSeq.Audio.Wav;

/// <summary>
/// Writes a WAV file in any <see cref="WavFormat"/> (PCM 8/16/24/32, float 32/64, plain or
/// WAVE_FORMAT_EXTENSIBLE). Samples are floats in [-1, 1]; integer formats round and clip. The RIFF and data
/// sizes are fixed up on <see cref="Dispose"/> when the stream can seek.
/// </summary>
public sealed class WavWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly long _headerStart;
    private readonly int _dataSizeOffset;
    private int _factOffset = -1;
    private long _dataBytes;
    private byte[] _scratch = [];
    private bool _disposed;

    /// <summary>Creates (or overwrites) a WAV file.</summary>
    public WavWriter(string path, WavFormat format)
        : this(new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, 1 << 16), format, ownsStream: true)
    {
    }

    /// <summary>Writes a WAV stream.</summary>
    public WavWriter(Stream stream, WavFormat format, bool ownsStream = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(format);
        _stream = stream;
        _ownsStream = ownsStream;
        Format = format;
        _headerStart = stream.CanSeek ? stream.Position : 0;
        _dataSizeOffset = WriteHeader();
    }

    /// <summary>The format written.</summary>
    public WavFormat Format { get; }

    /// <summary>Writes a whole buffer as a file in <paramref name="format"/> (its rate and channels must match).</summary>
    public static void WriteFile(string path, AudioBuffer audio, WavSampleFormat format = WavSampleFormat.Pcm16, bool extensible = false)
    {
        using var writer = new WavWriter(path, new WavFormat(audio.SampleRate, audio.Channels, format, extensible));
        writer.Write(audio.Samples);
    }

    /// <summary>Appends interleaved samples (whole frames).</summary>
    public void Write(ReadOnlySpan<float> samples)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (samples.Length % Format.Channels != 0)
        {
            throw new ArgumentException($"{samples.Length} samples are not whole frames of {Format.Channels} channels", nameof(samples));
        }
        var bytes = samples.Length * Format.BytesPerSample;
        if (_scratch.Length < bytes)
        {
            _scratch = new byte[bytes];
        }
        SampleCodec.Encode(samples, _scratch, Format.SampleFormat);
        _stream.Write(_scratch, 0, bytes);
        _dataBytes += bytes;
    }

    /// <summary>Fixes up the header sizes and closes the stream it owns.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        try
        {
            if ((_dataBytes & 1) == 1)
            {
                _stream.WriteByte(0);
            }
            if (_stream.CanSeek)
            {
                var end = _stream.Position;
                Span<byte> size = stackalloc byte[4];
                BinaryPrimitives.WriteUInt32LittleEndian(size, (uint)Math.Min(end - _headerStart - 8, uint.MaxValue));
                _stream.Position = _headerStart + 4;
                _stream.Write(size);
                BinaryPrimitives.WriteUInt32LittleEndian(size, (uint)Math.Min(_dataBytes, uint.MaxValue));
                _stream.Position = _headerStart + _dataSizeOffset;
                _stream.Write(size);
                if (_factOffset >= 0)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(size, (uint)Math.Min(_dataBytes / Format.BlockAlign, uint.MaxValue));
                    _stream.Position = _headerStart + _factOffset;
                    _stream.Write(size);
                }
                _stream.Position = end;
            }
            _stream.Flush();
        }
        finally
        {
            if (_ownsStream)
            {
                _stream.Dispose();
            }
        }
    }

    private int WriteHeader()
    {
        var extensible = Format.Extensible;
        var fmtSize = extensible ? 40 : Format.IsFloat ? 18 : 16;
        var header = new byte[12 + 8 + fmtSize + (Format.IsFloat && !extensible ? 12 : 0) + 8];
        var span = header.AsSpan();
        "RIFF"u8.CopyTo(span);
        // Sizes that are unknown now: 0xFFFFFFFF means "to the end" to readers of non-seekable streams.
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], uint.MaxValue);
        "WAVE"u8.CopyTo(span[8..]);
        "fmt "u8.CopyTo(span[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], (uint)fmtSize);
        var fmt = span.Slice(20, fmtSize);
        ushort tag = Format.IsFloat ? (ushort)3 : (ushort)1;
        BinaryPrimitives.WriteUInt16LittleEndian(fmt, extensible ? (ushort)0xFFFE : tag);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt[2..], (ushort)Format.Channels);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt[4..], (uint)Format.SampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt[8..], (uint)(Format.SampleRate * Format.BlockAlign));
        BinaryPrimitives.WriteUInt16LittleEndian(fmt[12..], (ushort)Format.BlockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt[14..], (ushort)Format.BitsPerSample);
        if (extensible)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(fmt[16..], 22);
            BinaryPrimitives.WriteUInt16LittleEndian(fmt[18..], (ushort)Format.BitsPerSample);
            BinaryPrimitives.WriteUInt32LittleEndian(fmt[20..], Format.Channels switch { 1 => 0x4u, 2 => 0x3u, _ => 0u });
            // KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT: {0000000X-0000-0010-8000-00aa00389b71}
            BinaryPrimitives.WriteUInt16LittleEndian(fmt[24..], tag);
            ReadOnlySpan<byte> guidTail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];
            guidTail.CopyTo(fmt[26..]);
        }
        var at = 20 + fmtSize;
        if (Format.IsFloat && !extensible)
        {
            // Float files carry a fact chunk (sample frames); readers ignore it, players want it.
            "fact"u8.CopyTo(span[at..]);
            BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 4)..], 4);
            _factOffset = at + 8;
            at += 12;
        }
        "data"u8.CopyTo(span[at..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 4)..], uint.MaxValue);
        _stream.Write(header);
        return at + 4;
    }
}
