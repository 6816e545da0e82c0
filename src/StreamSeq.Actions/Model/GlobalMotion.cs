namespace StreamSeq.Actions.Model;

/// <summary>
/// The camera's share of a flow field: an affine motion u = a0 + a1·x + a2·y, v = b0 + b1·x + b2·y (x, y in
/// [−1, 1] across the grid) fitted so that a minority of pixels moving on their own (people walking past a
/// static camera, a car crossing a pan) does not pull it. The fit starts at the median flow and reweights
/// with Tukey's biweight (iteratively reweighted least squares), whose weight is 0 for residuals beyond 4.685
/// robust standard deviations: pixels that disagree with the majority stop counting after the first rounds.
/// <para>
/// Optionally each pixel also carries a prior weight, its texture (<see cref="TextureWeights"/>): flow is only
/// measured where the image has gradients, and a flat region (a black Moving-MNIST background, a sky) reports
/// zero flow whatever the camera does. Weighting by texture makes "the majority" the majority of what can be
/// seen to move: the digit over an empty background, the textured static scene behind a walking person.
/// </para>
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
    public static double[] Fit(ReadOnlySpan<float> field, int side) => Fit(field, side, ReadOnlySpan<double>.Empty);

    /// <summary>
    /// Fits the affine motion of one field with per-pixel prior weights (<paramref name="prior"/>, <c>side²</c>
    /// values in [0, 1], or empty for all 1); a field whose prior weights add up to less than
    /// <see cref="MinEvidence"/> pixels is fitted unweighted (nothing in it is textured enough to prefer).
    /// </summary>
    public static double[] Fit(ReadOnlySpan<float> field, int side, ReadOnlySpan<double> prior)
    {
        var n = side * side;
        var u = field[..n];
        var v = field.Slice(n, n);
        var coordinates = Coordinates(side);
        var basis = new double[n];
        if (prior.IsEmpty || Sum(prior) < MinEvidence)
        {
            Array.Fill(basis, 1.0);
        }
        else
        {
            prior.CopyTo(basis);
        }
        var p = new double[] { WeightedMedian(u, basis), 0, 0, WeightedMedian(v, basis), 0, 0 };
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
            var scale = Math.Max(MinScale, 1.4826 * WeightedMedian(residuals, basis));
            var cut = Tukey * scale;
            for (var i = 0; i < n; i++)
            {
                var r = residuals[i] / cut;
                weights[i] = r < 1 ? basis[i] * (1 - (r * r)) * (1 - (r * r)) : 0;
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
    public static float[] Planes(float[] temporal, int fields, int side) => Planes(temporal, null, fields, side);

    /// <summary>
    /// As <see cref="Planes(float[], int, int)"/>, each field weighted by the texture of the frame it starts from
    /// (<paramref name="spatial"/>: one gray plane per frame, frame f before field f), or unweighted when null.
    /// </summary>
    public static float[] Planes(float[] temporal, float[]? spatial, int fields, int side)
    {
        var plane = side * side;
        var result = new float[fields * 2 * plane];
        var coordinates = Coordinates(side);
        for (var f = 0; f < fields; f++)
        {
            var prior = spatial is null ? ReadOnlySpan<double>.Empty : TextureWeights(spatial.AsSpan(f * plane, plane), side);
            var p = Fit(temporal.AsSpan(f * 2 * plane, 2 * plane), side, prior);
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

    /// <summary>
    /// Gradient energy below which a cell counts as flat, in the spatial planes' units per cell (squared): a
    /// gradient of 0.1 is about 8 grey levels per cell of the 32-cell grid, the contrast of faint texture.
    /// </summary>
    private const double FlatEnergy = 0.1 * 0.1;

    /// <summary>Least total prior weight, in cells, for a weighted fit (a few cells of texture are no evidence).</summary>
    public const double MinEvidence = 8;

    /// <summary>
    /// How much each cell of a gray plane can show motion: its gradient energy (central differences, summed over
    /// the 3×3 neighbourhood) e, as e / (e + <see cref="FlatEnergy"/>): 0 on flat cells, near 1 on any texture,
    /// saturating so that a high-contrast walker does not outweigh a duller textured background.
    /// </summary>
    public static double[] TextureWeights(ReadOnlySpan<float> image, int side)
    {
        var energy = new double[side * side];
        for (var y = 0; y < side; y++)
        {
            for (var x = 0; x < side; x++)
            {
                var left = image[(y * side) + Math.Max(0, x - 1)];
                var right = image[(y * side) + Math.Min(side - 1, x + 1)];
                var up = image[(Math.Max(0, y - 1) * side) + x];
                var down = image[(Math.Min(side - 1, y + 1) * side) + x];
                var spanX = Math.Min(side - 1, x + 1) - Math.Max(0, x - 1);
                var spanY = Math.Min(side - 1, y + 1) - Math.Max(0, y - 1);
                var gx = (right - left) / (double)spanX;
                var gy = (down - up) / (double)spanY;
                energy[(y * side) + x] = (gx * gx) + (gy * gy);
            }
        }
        var weights = new double[side * side];
        for (var y = 0; y < side; y++)
        {
            for (var x = 0; x < side; x++)
            {
                double sum = 0;
                var cells = 0;
                for (var dy = -1; dy <= 1; dy++)
                {
                    for (var dx = -1; dx <= 1; dx++)
                    {
                        var yy = y + dy;
                        var xx = x + dx;
                        if (yy >= 0 && yy < side && xx >= 0 && xx < side)
                        {
                            sum += energy[(yy * side) + xx];
                            cells++;
                        }
                    }
                }
                var e = sum / cells;
                weights[(y * side) + x] = e / (e + FlatEnergy);
            }
        }
        return weights;
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

    private static double Sum(ReadOnlySpan<double> values)
    {
        double sum = 0;
        foreach (var value in values)
        {
            sum += value;
        }
        return sum;
    }

    private static double WeightedMedian(ReadOnlySpan<float> values, double[] weights)
    {
        var copy = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            copy[i] = values[i];
        }
        return WeightedMedian(copy, weights);
    }

    /// <summary>The value below which half the weight lies (with equal weights: the lower median's neighbourhood, averaged at an exact split).</summary>
    private static double WeightedMedian(double[] values, double[] weights)
    {
        var order = new int[values.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        var keys = (double[])values.Clone();
        Array.Sort(keys, order);
        var half = weights.Sum() / 2;
        double running = 0;
        for (var k = 0; k < order.Length; k++)
        {
            running += weights[order[k]];
            if (running > half)
            {
                return keys[k];
            }
            if (running == half && k + 1 < order.Length)
            {
                return (keys[k] + keys[k + 1]) / 2;
            }
        }
        return keys[^1];
    }
}
