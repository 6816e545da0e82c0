namespace StreamSeq.Actions.Model;

/// <summary>
/// The camera's share of a flow field: an affine motion u = a0 + a1·x + a2·y, v = b0 + b1·x + b2·y (x, y in
/// [−1, 1] across the grid) fitted so that a minority of pixels moving on their own (people walking past a
/// static camera, a car crossing a pan) does not pull it. The fit starts at the median flow and reweights
/// with Tukey's biweight (iteratively reweighted least squares), whose weight is 0 for residuals beyond 4.685
/// robust standard deviations: pixels that disagree with the majority stop counting after the first rounds.
/// </summary>
public static class GlobalMotion
{
    private const int Rounds = 5;
    private const double Tukey = 4.685;

    /// <summary>Smallest residual scale, in grid units: below it noise would make every pixel an outlier.</summary>
    private const double MinScale = 0.02;

    /// <summary>
    /// Fits the affine motion of one field (dx plane then dy plane, <c>side²</c> floats each).
    /// </summary>
    /// <returns>(a0, a1, a2, b0, b1, b2): translation, then how the flow changes across x and y.</returns>
    public static double[] Fit(ReadOnlySpan<float> field, int side)
    {
        var n = side * side;
        var u = field[..n];
        var v = field.Slice(n, n);
        var coordinates = Coordinates(side);
        var p = new double[] { Median(u), 0, 0, Median(v), 0, 0 };
        var weights = new double[n];
        var residuals = new double[n];
        for (var round = 0; round < Rounds; round++)
        {
            for (var i = 0; i < n; i++)
            {
                var (x, y) = coordinates[i];
                var ru = u[i] - (p[0] + (p[1] * x) + (p[2] * y));
                var rv = v[i] - (p[3] + (p[4] * x) + (p[5] * y));
                residuals[i] = Math.Sqrt((ru * ru) + (rv * rv));
            }
            var scale = Math.Max(MinScale, 1.4826 * Median(residuals));
            var cut = Tukey * scale;
            for (var i = 0; i < n; i++)
            {
                var r = residuals[i] / cut;
                weights[i] = r < 1 ? (1 - (r * r)) * (1 - (r * r)) : 0;
            }
            if (!Solve(u, coordinates, weights, p.AsSpan(0, 3)) || !Solve(v, coordinates, weights, p.AsSpan(3, 3)))
            {
                break;
            }
        }
        return p;
    }

    /// <summary>
    /// The global flow of each field of a clip's temporal planes (per field: dx plane, dy plane), as planes of the
    /// same layout: what the camera alone would have made every pixel do.
    /// </summary>
    public static float[] Planes(float[] temporal, int fields, int side)
    {
        var plane = side * side;
        var result = new float[fields * 2 * plane];
        var coordinates = Coordinates(side);
        for (var f = 0; f < fields; f++)
        {
            var p = Fit(temporal.AsSpan(f * 2 * plane, 2 * plane), side);
            var offset = f * 2 * plane;
            for (var i = 0; i < plane; i++)
            {
                var (x, y) = coordinates[i];
                result[offset + i] = (float)(p[0] + (p[1] * x) + (p[2] * y));
                result[offset + plane + i] = (float)(p[3] + (p[4] * x) + (p[5] * y));
            }
        }
        return result;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, (double X, double Y)[]> Grids = new();

    /// <summary>Cell centres in [−1, 1], row by row.</summary>
    public static (double X, double Y)[] Coordinates(int side) => Grids.GetOrAdd(side, s =>
    {
        var result = new (double, double)[s * s];
        var half = s / 2.0;
        for (var y = 0; y < s; y++)
        {
            for (var x = 0; x < s; x++)
            {
                result[(y * s) + x] = ((x + 0.5 - half) / half, (y + 0.5 - half) / half);
            }
        }
        return result;
    });

    /// <summary>Weighted least squares of values over (1, x, y); false when too few points carry weight.</summary>
    private static bool Solve(ReadOnlySpan<float> values, (double X, double Y)[] coordinates, double[] weights, Span<double> p)
    {
        // Normal equations of a 3-parameter fit, solved by Cramer's rule (the matrix is well conditioned on a full grid).
        double s1 = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0, b0 = 0, b1 = 0, b2 = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var w = weights[i];
            if (w == 0)
            {
                continue;
            }
            var (x, y) = coordinates[i];
            s1 += w;
            sx += w * x;
            sy += w * y;
            sxx += w * x * x;
            sxy += w * x * y;
            syy += w * y * y;
            b0 += w * values[i];
            b1 += w * x * values[i];
            b2 += w * y * values[i];
        }
        var det = (s1 * ((sxx * syy) - (sxy * sxy))) - (sx * ((sx * syy) - (sxy * sy))) + (sy * ((sx * sxy) - (sxx * sy)));
        if (Math.Abs(det) < 1e-9 * Math.Max(1, s1 * s1 * s1))
        {
            return false;
        }
        p[0] = ((b0 * ((sxx * syy) - (sxy * sxy))) - (sx * ((b1 * syy) - (sxy * b2))) + (sy * ((b1 * sxy) - (sxx * b2)))) / det;
        p[1] = ((s1 * ((b1 * syy) - (sxy * b2))) - (b0 * ((sx * syy) - (sxy * sy))) + (sy * ((sx * b2) - (b1 * sy)))) / det;
        p[2] = ((s1 * ((sxx * b2) - (b1 * sxy))) - (sx * ((sx * b2) - (b1 * sy))) + (b0 * ((sx * sxy) - (sxx * sy)))) / det;
        return true;
    }

    private static double Median(ReadOnlySpan<float> values)
    {
        var copy = values.ToArray();
        Array.Sort(copy);
        var middle = copy.Length / 2;
        return copy.Length % 2 == 1 ? copy[middle] : (copy[middle - 1] + copy[middle]) / 2.0;
    }

    private static double Median(double[] values)
    {
        var copy = (double[])values.Clone();
        Array.Sort(copy);
        var middle = copy.Length / 2;
        return copy.Length % 2 == 1 ? copy[middle] : (copy[middle - 1] + copy[middle]) / 2;
    }
}
