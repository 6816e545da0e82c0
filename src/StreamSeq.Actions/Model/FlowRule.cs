namespace StreamSeq.Actions.Model;

/// <summary>
/// The baseline a learnt motion model has to beat: a hand-written rule on the clip's mean Farneback flow. A
/// least-squares affine fit of every field, averaged over the clip, gives translation (tx, ty), curl (turning,
/// positive clockwise on screen) and divergence (expansion); the largest of the four in magnitude names the
/// motion by its sign, and a clip where all four stay under <see cref="StillBelow"/> is <c>still</c>. Plain
/// least squares on purpose: this is the four-line rule, with its weakness (every moving pixel counts).
/// </summary>
public static class FlowRule
{
    /// <summary>Threshold, in the temporal planes' units (a third of a 64-pixel frame's pixel per frame, at the grid's edge for curl and divergence).</summary>
    public const double StillBelow = 0.08;

    /// <summary>The mean motion of a clip: (tx, ty, curl, divergence).</summary>
    public static (double Tx, double Ty, double Curl, double Divergence) Measure(ClipTensors clip)
    {
        var coordinates = GlobalMotion.Coordinates(ClipFeatures.Side);
        var plane = ClipFeatures.PlaneSize;
        return MeanMotion(clip, f => LeastSquares(clip.Temporal.AsSpan(f * 2 * plane, 2 * plane), coordinates));
    }

    /// <summary>
    /// The clip's mean (tx, ty, curl, divergence) over the affine fits (a0, a1, a2, b0, b1, b2) that
    /// <paramref name="fitField"/> gives for each flow field index.
    /// </summary>
    internal static (double Tx, double Ty, double Curl, double Divergence) MeanMotion(ClipTensors clip, Func<int, double[]> fitField)
    {
        double tx = 0, ty = 0, curl = 0, divergence = 0;
        for (var f = 0; f < clip.Flows; f++)
        {
            var p = fitField(f);
            tx += p[0];
            ty += p[3];
            divergence += (p[1] + p[5]) / 2;
            curl += (p[4] - p[2]) / 2;
        }
        return (tx / clip.Flows, ty / clip.Flows, curl / clip.Flows, divergence / clip.Flows);
    }

    /// <summary>The class the rule gives, as an index into <paramref name="classes"/> (which must name the nine motions).</summary>
    public static int Classify(ClipTensors clip, IReadOnlyList<string> classes)
    {
        var (tx, ty, curl, divergence) = Measure(clip);
        return IndexOf(Name(tx, ty, curl, divergence), classes);
    }

    /// <summary>The motion named by the largest of the four by its sign, or <c>still</c> when all are under <see cref="StillBelow"/>.</summary>
    public static string Name(double tx, double ty, double curl, double divergence)
    {
        var largest = new[] { Math.Abs(tx), Math.Abs(ty), Math.Abs(curl), Math.Abs(divergence) }.Max();
        return largest < StillBelow ? "still"
            : largest == Math.Abs(tx) ? (tx > 0 ? "right" : "left")
            : largest == Math.Abs(ty) ? (ty > 0 ? "down" : "up")
            : largest == Math.Abs(curl) ? (curl > 0 ? "rotate-cw" : "rotate-ccw")
            : divergence > 0 ? "zoom-in" : "zoom-out";
    }

    internal static int IndexOf(string name, IReadOnlyList<string> classes)
    {
        var index = classes.ToList().IndexOf(name);
        return index >= 0 ? index : throw new InvalidDataException($"the flow rule answers '{name}', which is not among the classes ({string.Join(", ", classes)})");
    }

    private static double[] LeastSquares(ReadOnlySpan<float> field, (double X, double Y)[] coordinates)
    {
        // On a full symmetric grid the affine least-squares fit separates: mean, then slope along x and along y.
        var n = coordinates.Length;
        double mu = 0, mv = 0, ux = 0, uy = 0, vx = 0, vy = 0, xx = 0, yy = 0;
        for (var i = 0; i < n; i++)
        {
            var (x, y) = coordinates[i];
            var u = field[i];
            var v = field[n + i];
            mu += u;
            mv += v;
            ux += u * x;
            uy += u * y;
            vx += v * x;
            vy += v * y;
            xx += x * x;
            yy += y * y;
        }
        return [mu / n, ux / xx, uy / yy, mv / n, vx / xx, vy / yy];
    }
}
