using System.Buffers.Binary;

namespace StreamSeq.Audio.Wav;

/// <summary>
/// Reads a RIFF/WAVE file or stream: PCM 8/16/24/32-bit, IEEE float 32/64-bit, plain or
/// WAVE_FORMAT_EXTENSIBLE, any rate and channel count, unknown chunks skipped. The header is checked when
/// the reader opens; a file whose data chunk promises more than the file holds, a header cut short or an
/// unsupported encoding throws <see cref="AudioFormatException"/> naming the file. Reading never blocks on
/// anything but the underlying stream: every length is checked against what is there.
/// </summary>
public sealed class WavReader : IDisposable
{
    private const ushort FormatPcm = 1;
    private const ushort FormatFloat = 3;
    private const ushort FormatExtensible = 0xFFFE;

    // A data chunk size of 0 or 0xFFFFFFFF is what streaming writers (ffmpeg to a pipe) put before they know
    // the length: the data then runs to the end of the stream.
    private const uint UnknownSize = 0xFFFFFFFF;

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly long? _dataBytes;
    private long _dataRead;
    private byte[] _scratch = [];
    private int _scratchFill;

    /// <summary>Opens a WAV file.</summary>
    /// <exception cref="AudioFormatException">The file is not a readable WAV file.</exception>
    public WavReader(string path)
        : this(OpenFile(path), path, ownsStream: true)
    {
    }

    /// <summary>Reads a WAV stream (seekable or not).</summary>
    /// <param name="stream">The stream, positioned at the RIFF header.</param>
    /// <param name="name">The name errors use (a path, "stdin").</param>
    /// <param name="ownsStream">Whether disposing the reader disposes the stream.</param>
    public WavReader(Stream stream, string name, bool ownsStream = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _ownsStream = ownsStream;
        Name = name;
        try
        {
            (Format, _dataBytes) = ReadHeader();
        }
        catch
        {
            if (ownsStream)
            {
                stream.Dispose();
            }
            throw;
        }
    }

    /// <summary>The file path or stream name.</summary>
    public string Name { get; }

    /// <summary>The format read from the fmt chunk.</summary>
    public WavFormat Format { get; }

    /// <summary>Frames the data chunk declares, or null when it runs to the end of the stream.</summary>
    public long? FrameCount => _dataBytes / Format.BlockAlign;

    /// <summary>Whether the file starts with a RIFF, RIFX or RF64 header (it may still be a broken WAV file).</summary>
    /// <exception cref="AudioFormatException">The file cannot be opened.</exception>
    public static bool LooksLikeWav(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> head = stackalloc byte[4];
            return file.Read(head) == 4 && (head.SequenceEqual("RIFF"u8) || head.SequenceEqual("RIFX"u8) || head.SequenceEqual("RF64"u8));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AudioFormatException(path, $"cannot open: {e.Message}", e);
        }
    }

    /// <summary>Reads a whole WAV file into memory.</summary>
    public static AudioBuffer ReadFile(string path)
    {
        using var reader = new WavReader(path);
        return reader.ReadToEnd();
    }

    /// <summary>Reads the remaining frames into one buffer.</summary>
    public AudioBuffer ReadToEnd()
    {
        var all = new List<float>(FrameCount is { } frames ? (int)Math.Min(frames * Format.Channels, int.MaxValue / 2) : 1 << 16);
        var block = new float[Format.Channels * 4096];
        int read;
        while ((read = Read(block)) > 0)
        {
            all.AddRange(block.AsSpan(0, read));
        }
        return new AudioBuffer([.. all], Format.SampleRate, Format.Channels);
    }

    /// <summary>
    /// Reads up to <paramref name="destination"/>.Length samples (whole frames, interleaved) and returns how
    /// many were read; 0 at the end of the data.
    /// </summary>
    /// <exception cref="AudioFormatException">The data ends before its declared length.</exception>
    public int Read(Span<float> destination)
    {
        var frames = destination.Length / Format.Channels;
        if (frames == 0)
        {
            throw new ArgumentException($"destination holds less than one frame of {Format.Channels} channels", nameof(destination));
        }
        if (_dataBytes is { } total)
        {
            frames = (int)Math.Min(frames, (total - _dataRead) / Format.BlockAlign);
        }
        if (frames <= 0)
        {
            return 0;
        }
        var wanted = frames * Format.BlockAlign;
        if (_scratch.Length < wanted)
        {
            _scratch = new byte[wanted];
        }
        // Keep reading until whole frames are in: pipes deliver partial reads.
        while (_scratchFill < Format.BlockAlign || (_scratchFill < wanted && _dataBytes is not null))
        {
            var n = _stream.Read(_scratch, _scratchFill, wanted - _scratchFill);
            if (n == 0)
            {
                break;
            }
            _scratchFill += n;
            if (_dataBytes is null && _scratchFill >= Format.BlockAlign)
            {
                break;
            }
        }
        var whole = _scratchFill / Format.BlockAlign;
        if (whole == 0)
        {
            if (_dataBytes is { } declared && _dataRead < declared - (declared % Format.BlockAlign))
            {
                throw new AudioFormatException(Name, $"truncated: the data chunk declares {declared} bytes but the file ends after {_dataRead + _scratchFill}");
            }
            return 0;
        }
        var bytes = whole * Format.BlockAlign;
        SampleCodec.Decode(_scratch.AsSpan(0, bytes), destination[..(whole * Format.Channels)], Format.SampleFormat);
        _scratch.AsSpan(bytes, _scratchFill - bytes).CopyTo(_scratch);
        _scratchFill -= bytes;
        _dataRead += bytes;
        return whole * Format.Channels;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsStream)
        {
            _stream.Dispose();
        }
    }

    private static FileStream OpenFile(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AudioFormatException(path, $"cannot open: {e.Message}", e);
        }
    }

    private (WavFormat Format, long? DataBytes) ReadHeader()
    {
        Span<byte> header = stackalloc byte[12];
        ReadExactly(header, "the RIFF header");
        var riff = header[..4];
        if (!riff.SequenceEqual("RIFF"u8))
        {
            var what = riff.SequenceEqual("RIFX"u8) ? "a big-endian RIFX file (not supported)"
                : riff.SequenceEqual("RF64"u8) ? "an RF64 file (not supported)"
                : "not a WAV file (no RIFF header)";
            throw new AudioFormatException(Name, what);
        }
        if (!header[8..12].SequenceEqual("WAVE"u8))
        {
            throw new AudioFormatException(Name, "a RIFF file but not WAVE");
        }
        WavFormat? format = null;
        Span<byte> chunkHeader = stackalloc byte[8];
        while (true)
        {
            if (!TryReadExactly(chunkHeader))
            {
                throw new AudioFormatException(Name, format is null ? "truncated: no fmt chunk before the end of the file" : "truncated: no data chunk before the end of the file");
            }
            var id = System.Text.Encoding.ASCII.GetString(chunkHeader[..4]);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(chunkHeader[4..]);
            if (id == "fmt ")
            {
                if (size is < 16 or > 1024)
                {
                    throw new AudioFormatException(Name, $"fmt chunk of {size} bytes (expected 16 to 40)");
                }
                var body = new byte[size + (size & 1)];
                ReadExactly(body, "the fmt chunk");
                format = ParseFormat(body.AsSpan(0, (int)size));
                continue;
            }
            if (id == "data")
            {
                if (format is null)
                {
                    throw new AudioFormatException(Name, "data chunk before the fmt chunk");
                }
                long? dataBytes = size is 0 or UnknownSize ? null : size;
                if (dataBytes is { } declared && _stream.CanSeek)
                {
                    var left = _stream.Length - _stream.Position;
                    if (left < declared)
                    {
                        throw new AudioFormatException(Name, $"truncated: the data chunk declares {declared} bytes but only {left} follow");
                    }
                }
                return (format, dataBytes);
            }
            Skip(size + (size & 1), id);
        }
    }

    private WavFormat ParseFormat(ReadOnlySpan<byte> fmt)
    {
        var tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        var channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        var rate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
        var blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
        var bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
        var extensible = tag == FormatExtensible;
        if (extensible)
        {
            if (fmt.Length < 40)
            {
                throw new AudioFormatException(Name, $"WAVE_FORMAT_EXTENSIBLE fmt chunk of {fmt.Length} bytes (expected 40)");
            }
            // The sub-format GUID starts with the plain format tag (KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT).
            tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]);
        }
        if (channels is 0 or > 64)
        {
            throw new AudioFormatException(Name, $"{channels} channels (expected 1 to 64)");
        }
        if (rate is 0 or > 1_536_000)
        {
            throw new AudioFormatException(Name, $"sample rate {rate} Hz is not plausible");
        }
        WavSampleFormat sampleFormat = (tag, bits) switch
        {
            (FormatPcm, 8) => WavSampleFormat.Pcm8,
            (FormatPcm, 16) => WavSampleFormat.Pcm16,
            (FormatPcm, 24) => WavSampleFormat.Pcm24,
            (FormatPcm, 32) => WavSampleFormat.Pcm32,
            (FormatFloat, 32) => WavSampleFormat.Float32,
            (FormatFloat, 64) => WavSampleFormat.Float64,
            (FormatPcm or FormatFloat, _) => throw new AudioFormatException(Name, $"{bits}-bit {(tag == FormatPcm ? "PCM" : "float")} samples are not supported (PCM 8/16/24/32, float 32/64)"),
            _ => throw new AudioFormatException(Name, $"unsupported WAV encoding (format tag 0x{tag:X4}); supported: PCM and IEEE float"),
        };
        var format = new WavFormat((int)rate, channels, sampleFormat, extensible);
        if (blockAlign != format.BlockAlign)
        {
            throw new AudioFormatException(Name, $"block align {blockAlign} does not match {channels} channels of {bits} bits");
        }
        return format;
    }

    private void Skip(long bytes, string chunk)
    {
        if (_stream.CanSeek)
        {
            if (_stream.Position + bytes > _stream.Length)
            {
                throw new AudioFormatException(Name, $"truncated: chunk '{Printable(chunk)}' of {bytes} bytes runs past the end of the file");
            }
            _stream.Seek(bytes, SeekOrigin.Current);
            return;
        }
        var buffer = new byte[(int)Math.Min(bytes, 1 << 16)];
        while (bytes > 0)
        {
            var n = _stream.Read(buffer, 0, (int)Math.Min(bytes, buffer.Length));
            if (n == 0)
            {
                throw new AudioFormatException(Name, $"truncated: chunk '{Printable(chunk)}' runs past the end of the stream");
            }
            bytes -= n;
        }
    }

    private static string Printable(string id) => new([.. id.Select(c => char.IsControl(c) || c > '~' ? '?' : c)]);

    private void ReadExactly(Span<byte> buffer, string what)
    {
        if (!TryReadExactly(buffer))
        {
            throw new AudioFormatException(Name, $"truncated: the file ends inside {what}");
        }
    }

    private bool TryReadExactly(Span<byte> buffer)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = _stream.Read(buffer[filled..]);
            if (n == 0)
            {
                return false;
            }
            filled += n;
        }
        return true;
    }
}
