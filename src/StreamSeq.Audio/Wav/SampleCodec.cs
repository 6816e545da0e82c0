using System.Buffers.Binary;

namespace StreamSeq.Audio.Wav;

/// <summary>Converts between stored little-endian samples and floats in [-1, 1].</summary>
internal static class SampleCodec
{
    public static void Decode(ReadOnlySpan<byte> bytes, Span<float> samples, WavSampleFormat format)
    {
        switch (format)
        {
            case WavSampleFormat.Pcm8:
                for (var i = 0; i < samples.Length; i++)
                {
                    samples[i] = (bytes[i] - 128) / 128f;
                }
                break;
            case WavSampleFormat.Pcm16:
                for (var i = 0; i < samples.Length; i++)
                {
                    samples[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes[(2 * i)..]) / 32768f;
                }
                break;
            case WavSampleFormat.Pcm24:
                for (var i = 0; i < samples.Length; i++)
                {
                    var b = bytes.Slice(3 * i, 3);
                    // Put the 24 bits at the top of an int so the arithmetic shift sign-extends them.
                    var value = ((b[0] << 8) | (b[1] << 16) | (b[2] << 24)) >> 8;
                    samples[i] = value / 8388608f;
                }
                break;
            case WavSampleFormat.Pcm32:
                for (var i = 0; i < samples.Length; i++)
                {
                    samples[i] = (float)(BinaryPrimitives.ReadInt32LittleEndian(bytes[(4 * i)..]) / 2147483648.0);
                }
                break;
            case WavSampleFormat.Float32:
                for (var i = 0; i < samples.Length; i++)
                {
                    samples[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
                }
                break;
            case WavSampleFormat.Float64:
                for (var i = 0; i < samples.Length; i++)
                {
                    samples[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * i)..]);
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, null);
        }
    }

    public static void Encode(ReadOnlySpan<float> samples, Span<byte> bytes, WavSampleFormat format)
    {
        switch (format)
        {
            case WavSampleFormat.Pcm8:
                for (var i = 0; i < samples.Length; i++)
                {
                    bytes[i] = (byte)(Quantize(samples[i], 127) + 128);
                }
                break;
            case WavSampleFormat.Pcm16:
                for (var i = 0; i < samples.Length; i++)
                {
                    BinaryPrimitives.WriteInt16LittleEndian(bytes[(2 * i)..], (short)Quantize(samples[i], 32767));
                }
                break;
            case WavSampleFormat.Pcm24:
                for (var i = 0; i < samples.Length; i++)
                {
                    var v = Quantize(samples[i], 8388607);
                    bytes[3 * i] = (byte)v;
                    bytes[(3 * i) + 1] = (byte)(v >> 8);
                    bytes[(3 * i) + 2] = (byte)(v >> 16);
                }
                break;
            case WavSampleFormat.Pcm32:
                for (var i = 0; i < samples.Length; i++)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(bytes[(4 * i)..], Quantize(samples[i], int.MaxValue));
                }
                break;
            case WavSampleFormat.Float32:
                for (var i = 0; i < samples.Length; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(bytes[(4 * i)..], samples[i]);
                }
                break;
            case WavSampleFormat.Float64:
                for (var i = 0; i < samples.Length; i++)
                {
                    BinaryPrimitives.WriteDoubleLittleEndian(bytes[(8 * i)..], samples[i]);
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, null);
        }
    }

    /// <summary>Scales to the integer range with rounding; out-of-range values clip instead of wrapping.</summary>
    private static int Quantize(float sample, int max)
    {
        var scaled = Math.Round((double)sample * ((double)max + 1), MidpointRounding.AwayFromZero);
        return (int)Math.Clamp(scaled, -(double)max - 1, max);
    }
}
