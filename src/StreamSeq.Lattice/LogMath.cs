using System.Runtime.CompilerServices;

namespace StreamSeq.Lattice;

/// <summary>Numerics shared by the log-semiring operations.</summary>
internal static class LogMath
{
    /// <summary>log(exp(a) + exp(b)) without overflow or underflow: the larger term is factored out, so the
    /// exponent is never positive; -infinity is the additive identity.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Add(double a, double b)
    {
        if (a < b)
        {
            (a, b) = (b, a);
        }
        if (double.IsNegativeInfinity(b))
        {
            return a;
        }
        return a + Math.Log(1.0 + Math.Exp(b - a));
    }
}
