namespace StreamSeq.Audio.Features;

/// <summary>
/// A frames × bins matrix of features, row-major in one contiguous array: frame f's bins are
/// <c>Data[f * Bins .. (f + 1) * Bins]</c>. This is the hand-over format for models: a tensor of shape
/// [Frames, Bins] can be created straight from <see cref="Data"/>.
/// </summary>
public sealed class FeatureMatrix
{
    /// <summary>Creates a matrix over <paramref name="data"/> (taken, not copied).</summary>
    public FeatureMatrix(int frames, int bins, float[] data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length != frames * bins)
        {
            throw new ArgumentException($"{data.Length} values are not {frames} frames x {bins} bins", nameof(data));
        }
        Frames = frames;
        Bins = bins;
        Data = data;
    }

    /// <summary>Creates a zeroed matrix.</summary>
    public FeatureMatrix(int frames, int bins)
        : this(frames, bins, new float[frames * bins])
    {
    }

    /// <summary>Number of frames (rows).</summary>
    public int Frames { get; }

    /// <summary>Values per frame (columns).</summary>
    public int Bins { get; }

    /// <summary>The values, row-major.</summary>
    public float[] Data { get; }

    /// <summary>One value.</summary>
    public float this[int frame, int bin]
    {
        get => Data[(frame * Bins) + bin];
        set => Data[(frame * Bins) + bin] = value;
    }

    /// <summary>One frame's values.</summary>
    public Span<float> Row(int frame) => Data.AsSpan(frame * Bins, Bins);

    /// <summary>A copy as a two-dimensional array [frames, bins].</summary>
    public float[,] ToArray()
    {
        var result = new float[Frames, Bins];
        Buffer.BlockCopy(Data, 0, result, 0, Data.Length * sizeof(float));
        return result;
    }

    /// <summary>A matrix copied from a two-dimensional array [frames, bins].</summary>
    public static FeatureMatrix FromArray(float[,] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var m = new FeatureMatrix(values.GetLength(0), Math.Max(1, values.GetLength(1)));
        Buffer.BlockCopy(values, 0, m.Data, 0, values.Length * sizeof(float));
        return m;
    }

    /// <summary>A deep copy.</summary>
    public FeatureMatrix Clone() => new(Frames, Bins, (float[])Data.Clone());

    /// <summary>Rows stacked one after another (all must have the same bin count).</summary>
    public static FeatureMatrix Concat(IReadOnlyList<FeatureMatrix> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0)
        {
            throw new ArgumentException("nothing to concatenate", nameof(parts));
        }
        var bins = parts[0].Bins;
        var data = new float[parts.Sum(p => p.Data.Length)];
        var at = 0;
        foreach (var p in parts)
        {
            if (p.Bins != bins)
            {
                throw new ArgumentException($"bins differ: {p.Bins} vs {bins}", nameof(parts));
            }
            p.Data.CopyTo(data, at);
            at += p.Data.Length;
        }
        return new FeatureMatrix(data.Length / bins, bins, data);
    }

    /// <inheritdoc />
    public override string ToString() => $"features {Frames} x {Bins}";
}
