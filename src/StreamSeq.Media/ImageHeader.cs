using System.Buffers.Binary;

namespace StreamSeq.Media;

/// <summary>
/// The pixel size an image file declares, read from its header without decoding it, so a 30000×30000 PNG is
/// refused in microseconds instead of after seconds and a gigabyte of decoding.
/// </summary>
/// <remarks>Knows PNG, JPEG (baseline, progressive, lossless), GIF, BMP, WebP (lossy, lossless, extended), TIFF
/// (first image) and the PNM family; for anything else <see cref="TryRead(Stream)"/> returns null and the caller decodes.</remarks>
public static class ImageHeader
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Width and height the file at <paramref name="path"/> declares, or null for a format this does not know or a header it cannot parse.</summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static (int Width, int Height)? TryRead(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
        return TryRead(stream);
    }

    /// <summary>Width and height the stream's image declares (read from its current position), or null.</summary>
    public static (int Width, int Height)? TryRead(Stream stream)
    {
        Span<byte> head = stackalloc byte[32];
        var n = ReadAtMost(stream, head);
        var h = head[..n];
        try
        {
            if (h.Length >= 24 && h[..8].SequenceEqual(PngSignature) && h[12..16].SequenceEqual("IHDR"u8))
            {
                return Valid(BinaryPrimitives.ReadInt32BigEndian(h[16..]), BinaryPrimitives.ReadInt32BigEndian(h[20..]));
            }
            if (h.Length >= 10 && (h[..6].SequenceEqual("GIF87a"u8) || h[..6].SequenceEqual("GIF89a"u8)))
            {
                return Valid(BinaryPrimitives.ReadUInt16LittleEndian(h[6..]), BinaryPrimitives.ReadUInt16LittleEndian(h[8..]));
            }
            if (h.Length >= 26 && h[0] == (byte)'B' && h[1] == (byte)'M')
            {
                var headerSize = BinaryPrimitives.ReadInt32LittleEndian(h[14..]);
                return headerSize == 12
                    ? Valid(BinaryPrimitives.ReadUInt16LittleEndian(h[18..]), BinaryPrimitives.ReadUInt16LittleEndian(h[20..]))
                    : Valid(BinaryPrimitives.ReadInt32LittleEndian(h[18..]), Math.Abs(BinaryPrimitives.ReadInt32LittleEndian(h[22..])));
            }
            if (h.Length >= 30 && h[..4].SequenceEqual("RIFF"u8) && h[8..12].SequenceEqual("WEBP"u8))
            {
                return WebP(h);
            }
            if (h.Length >= 3 && h[0] == 0xFF && h[1] == 0xD8 && h[2] == 0xFF)
            {
                stream.Position -= n - 2;
                return Jpeg(stream);
            }
            if (h.Length >= 8 && (h[..4].SequenceEqual("II*\0"u8) || h[..4].SequenceEqual("MM\0*"u8)))
            {
                stream.Position -= n;
                return Tiff(stream);
            }
            if (h.Length >= 3 && h[0] == (byte)'P' && h[1] is >= (byte)'1' and <= (byte)'6')
            {
                stream.Position -= n - 2;
                return Pnm(stream);
            }
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentOutOfRangeException or IOException or NotSupportedException)
        {
            return null;
        }
        return null;
    }

    private static (int, int)? Valid(long width, long height) =>
        width is > 0 and <= int.MaxValue && height is > 0 and <= int.MaxValue ? ((int)width, (int)height) : null;

    private static (int, int)? WebP(ReadOnlySpan<byte> h)
    {
        var chunk = h[12..16];
        if (chunk.SequenceEqual("VP8 "u8) && h[23] == 0x9D && h[24] == 0x01 && h[25] == 0x2A)
        {
            return Valid(BinaryPrimitives.ReadUInt16LittleEndian(h[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(h[28..]) & 0x3FFF);
        }
        if (chunk.SequenceEqual("VP8L"u8) && h[20] == 0x2F)
        {
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(h[21..]);
            return Valid((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
        }
        if (chunk.SequenceEqual("VP8X"u8))
        {
            return Valid((h[24] | (h[25] << 8) | (h[26] << 16)) + 1, (h[27] | (h[28] << 8) | (h[29] << 16)) + 1);
        }
        return null;
    }

    private static (int, int)? Jpeg(Stream stream)
    {
        // Walk the marker segments to the first start-of-frame (SOF0..SOF15 except DHT, JPG and DAC).
        Span<byte> marker = stackalloc byte[4];
        Span<byte> frame = stackalloc byte[5];
        for (var segments = 0; segments < 1024; segments++)
        {
            stream.ReadExactly(marker[..2]);
            if (marker[0] != 0xFF)
            {
                return null;
            }
            while (marker[1] == 0xFF)
            {
                marker[1] = (byte)stream.ReadByte();
            }
            var type = marker[1];
            if (type is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7))
            {
                continue;
            }
            stream.ReadExactly(marker[2..4]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(marker[2..]);
            if (type is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                stream.ReadExactly(frame);
                return Valid(BinaryPrimitives.ReadUInt16BigEndian(frame[3..]), BinaryPrimitives.ReadUInt16BigEndian(frame[1..]));
            }
            if (type is 0xD9 or 0xDA || length < 2)
            {
                return null;
            }
            stream.Seek(length - 2, SeekOrigin.Current);
        }
        return null;
    }

    private static (int, int)? Tiff(Stream stream)
    {
        var start = stream.Position;
        Span<byte> header = stackalloc byte[8];
        stream.ReadExactly(header);
        var little = header[0] == (byte)'I';
        uint U32(ReadOnlySpan<byte> b) => little ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);
        ushort U16(ReadOnlySpan<byte> b) => little ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b);
        stream.Position = start + U32(header[4..]);
        Span<byte> count = stackalloc byte[2];
        stream.ReadExactly(count);
        var entries = Math.Min((int)U16(count), 4096);
        Span<byte> entry = stackalloc byte[12];
        long width = 0, height = 0;
        for (var i = 0; i < entries && (width == 0 || height == 0); i++)
        {
            stream.ReadExactly(entry);
            var tag = U16(entry);
            var type = U16(entry[2..]);
            long value = type == 3 ? U16(entry[8..]) : U32(entry[8..]);
            if (tag == 256)
            {
                width = value;
            }
            else if (tag == 257)
            {
                height = value;
            }
        }
        return Valid(width, height);
    }

    private static (int, int)? Pnm(Stream stream)
    {
        // After "Pn": whitespace-separated width and height, with # comments to the end of a line.
        var numbers = new long[2];
        for (var k = 0; k < 2; k++)
        {
            int c;
            while ((c = stream.ReadByte()) is ' ' or '\t' or '\r' or '\n' or '#')
            {
                if (c == '#')
                {
                    while ((c = stream.ReadByte()) is not ('\n' or -1))
                    {
                    }
                }
            }
            long value = 0;
            var digits = 0;
            while (c is >= '0' and <= '9' && digits++ < 10)
            {
                value = (value * 10) + (c - '0');
                c = stream.ReadByte();
            }
            if (digits == 0)
            {
                return null;
            }
            numbers[k] = value;
        }
        return Valid(numbers[0], numbers[1]);
    }

    private static int ReadAtMost(Stream stream, Span<byte> buffer)
    {
        var total = 0;
        int read;
        while (total < buffer.Length && (read = stream.Read(buffer[total..])) > 0)
        {
            total += read;
        }
        return total;
    }
}
