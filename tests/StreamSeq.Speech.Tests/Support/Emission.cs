namespace StreamSeq.Speech.Tests.Support;

/// <summary>Random CTC emissions: T×C log-softmax rows, row-major.</summary>
public static class Emission
{
    public static float[] Random(int frames, int classes, int seed, double sharpness = 3)
    {
        var random = new Random(seed);
        var values = new float[frames * classes];
        for (var t = 0; t < frames; t++)
        {
            var row = values.AsSpan(t * classes, classes);
            for (var c = 0; c < classes; c++)
            {
                row[c] = (float)(random.NextDouble() * sharpness);
            }
            var max = row.ToArray().Max();
            var sum = row.ToArray().Sum(v => Math.Exp(v - max));
            var log = max + Math.Log(sum);
            for (var c = 0; c < classes; c++)
            {
                row[c] = (float)(row[c] - log);
            }
        }
        return values;
    }

    /// <summary>Log-probabilities from explicit probability rows.</summary>
    public static float[] FromProbabilities(double[][] rows) => [.. rows.SelectMany(r => r.Select(p => (float)Math.Log(p)))];

    /// <summary>The CTC collapse of a frame labelling.</summary>
    public static int[] Collapse(IReadOnlyList<int> frames, int blank = 0)
    {
        var result = new List<int>();
        var previous = blank;
        foreach (var label in frames)
        {
            if (label != blank && label != previous)
            {
                result.Add(label);
            }
            previous = label;
        }
        return [.. result];
    }
}
