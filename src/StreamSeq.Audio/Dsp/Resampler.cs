using System.Numerics;

namespace StreamSeq.Audio.Dsp;

/// <summary>
/// A streaming, band-limited sample-rate converter: polyphase windowed-sinc (Kaiser window) for any rational
/// ratio. The cut-off sits at <see cref="Rolloff"/> of the lower Nyquist frequency, so downsampling removes
/// what would alias. Chunks can be of any size; the output of many chunks equals the output of their
/// concatenation. Total output length is ceil(input × out / in) once <see cref="Flush"/> ran. Mono; use
/// <see cref="AudioConverter"/> for interleaved channels.
/// </summary>
/// <remarks>
/// Written here rather than taken from NWaves because NWaves resamples whole signals only (no state across
/// chunks, which a live stream needs) and its arbitrary-ratio path uses a short fixed-order filter; the
/// alias rejection of both is compared in the tests.
/// </remarks>
public sealed class Resampler
{
    /// <summary>Fraction of the lower Nyquist frequency kept (the transition band lies above it).</summary>
    public const double Rolloff = 0.92;

    // Exact polyphase tables up to this many phases; beyond, phases are interpolated linearly from a table
    // of this size (rates like 22050 → 16001 would otherwise need a table per output phase).
    private const int MaxExactPhases = 1024;
    private const int ZeroCrossings = 20;
    private const double KaiserBeta = 9.0;

    private readonly long _up;
    private readonly long _down;
    private readonly int _half;
    private readonly int _phases;
    private readonly bool _exact;
    private readonly float[] _table; // [_phases + 1][2 * _half]
    private float[] _history = new float[256];
    private int _historyCount;
    private long _historyStart; // input index of _history[0]
    private long _inputCount;
    private long _nextOutput;

    /// <summary>Creates a converter from <paramref name="inputRate"/> to <paramref name="outputRate"/>.</summary>
    public Resampler(int inputRate, int outputRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputRate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputRate, 1);
        InputRate = inputRate;
        OutputRate = outputRate;
        var g = Gcd(inputRate, outputRate);
        _up = outputRate / g;
        _down = inputRate / g;
        // Cut-off in cycles per input sample.
        var cutoff = 0.5 * Math.Min(1.0, (double)outputRate / inputRate) * Rolloff;
        _half = (int)Math.Ceiling(ZeroCrossings / (2 * cutoff));
        _exact = _up <= MaxExactPhases;
        _phases = _exact ? (int)_up : MaxExactPhases;
        var taps = 2 * _half;
        _table = new float[(_phases + 1) * taps];
        for (var p = 0; p <= _phases; p++)
        {
            var frac = (double)p / _phases;
            var row = _table.AsSpan(p * taps, taps);
            double sum = 0;
            for (var j = 0; j < taps; j++)
            {
                // Tap j multiplies input sample (base - _half + 1 + j); the output lies frac after base.
                var t = j - _half + 1 - frac;
                var x = 2 * cutoff * t;
                var sinc = Math.Abs(x) < 1e-12 ? 1.0 : Math.Sin(Math.PI * x) / (Math.PI * x);
                var w = Kaiser(t / (_half + 1), KaiserBeta);
                var h = 2 * cutoff * sinc * w;
                row[j] = (float)h;
                sum += h;
            }
            // Unity gain at DC for every phase, so a constant stays constant exactly.
            for (var j = 0; j < taps; j++)
            {
                row[j] = (float)(row[j] / sum);
            }
        }
    }

    /// <summary>The input rate.</summary>
    public int InputRate { get; }

    /// <summary>The output rate.</summary>
    public int OutputRate { get; }

    /// <summary>Filter taps per output sample.</summary>
    public int Taps => 2 * _half;

    /// <summary>Resamples a whole signal at once.</summary>
    public static float[] ResampleAll(ReadOnlySpan<float> input, int inputRate, int outputRate)
    {
        if (inputRate == outputRate)
        {
            return input.ToArray();
        }
        var resampler = new Resampler(inputRate, outputRate);
        var head = resampler.Process(input);
        var tail = resampler.Flush();
        return [.. head, .. tail];
    }

    /// <summary>Feeds input samples; returns the output samples whose whole filter support has arrived.</summary>
    public float[] Process(ReadOnlySpan<float> input)
    {
        Append(input);
        _inputCount += input.Length;
        return Produce(final: false);
    }

    /// <summary>Ends the stream: returns the remaining output (the input is padded with silence).</summary>
    public float[] Flush() => Produce(final: true);

    /// <summary>Forgets all state, for a stream that starts over (a discontinuity).</summary>
    public void Reset()
    {
        _historyCount = 0;
        _historyStart = 0;
        _inputCount = 0;
        _nextOutput = 0;
    }

    private float[] Produce(bool final)
    {
        // Output n lies at input time n·down/up. It can be computed once input up to base + _half is in.
        long last;
        if (final)
        {
            // ceil(inputCount · up / down) outputs in all.
            last = ((_inputCount * _up) + _down - 1) / _down;
        }
        else
        {
            // Output n needs inputs up to floor(n·down/up) + _half, so n·down < (inputCount - _half)·up.
            var available = _inputCount - _half;
            last = available <= 0 ? 0 : (((available * _up) - 1) / _down) + 1;
            last = Math.Min(last, ((_inputCount * _up) + _down - 1) / _down);
        }
        var count = (int)Math.Max(0, last - _nextOutput);
        var output = new float[count];
        var taps = 2 * _half;
        for (var i = 0; i < count; i++)
        {
            var n = _nextOutput + i;
            var position = n * _down;
            var baseIndex = position / _up;
            var remainder = position % _up;
            var first = baseIndex - _half + 1;
            double acc;
            if (_exact)
            {
                acc = Dot(_table.AsSpan((int)remainder * taps, taps), first);
            }
            else
            {
                var phase = (double)remainder * _phases / _up;
                var p = (int)phase;
                var w = phase - p;
                var a = Dot(_table.AsSpan(p * taps, taps), first);
                var b = Dot(_table.AsSpan((p + 1) * taps, taps), first);
                acc = a + ((b - a) * w);
            }
            output[i] = (float)acc;
        }
        _nextOutput += count;
        Trim();
        return output;
    }

    private double Dot(ReadOnlySpan<float> taps, long firstInput)
    {
        var offset = firstInput - _historyStart;
        if (offset >= 0 && offset + taps.Length <= _historyCount)
        {
            // The whole window is in the history (every output but the first and last few): SIMD.
            var x = _history.AsSpan((int)offset, taps.Length);
            var j = 0;
            var sum = 0f;
            if (Vector.IsHardwareAccelerated && taps.Length >= Vector<float>.Count)
            {
                var vector = Vector<float>.Zero;
                for (; j <= taps.Length - Vector<float>.Count; j += Vector<float>.Count)
                {
                    vector += new Vector<float>(taps[j..]) * new Vector<float>(x[j..]);
                }
                sum = Vector.Sum(vector);
            }
            for (; j < taps.Length; j++)
            {
                sum += taps[j] * x[j];
            }
            return sum;
        }
        double acc = 0;
        for (var j = 0; j < taps.Length; j++)
        {
            var index = firstInput + j - _historyStart;
            if (index < 0 || index >= _historyCount)
            {
                continue; // before the start or past the end: silence
            }
            acc += taps[j] * _history[index];
        }
        return acc;
    }

    private void Append(ReadOnlySpan<float> input)
    {
        if (_historyCount + input.Length > _history.Length)
        {
            Array.Resize(ref _history, Math.Max(_history.Length * 2, _historyCount + input.Length));
        }
        input.CopyTo(_history.AsSpan(_historyCount));
        _historyCount += input.Length;
    }

    private void Trim()
    {
        // Keep what the next output's left support needs.
        var nextBase = _nextOutput * _down / _up;
        var keepFrom = nextBase - _half + 1;
        var drop = (int)Math.Clamp(keepFrom - _historyStart, 0, _historyCount);
        if (drop > 0)
        {
            _history.AsSpan(drop, _historyCount - drop).CopyTo(_history);
            _historyCount -= drop;
            _historyStart += drop;
        }
    }

    private static double Kaiser(double x, double beta)
    {
        if (Math.Abs(x) >= 1)
        {
            return 0;
        }
        return BesselI0(beta * Math.Sqrt(1 - (x * x))) / BesselI0(beta);
    }

    private static double BesselI0(double x)
    {
        double sum = 1, term = 1, half = x / 2;
        for (var k = 1; k < 50; k++)
        {
            term *= half / k;
            var t2 = term * term;
            sum += t2;
            if (t2 < sum * 1e-17)
            {
                break;
            }
        }
        return sum;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }
        return a;
    }
}
