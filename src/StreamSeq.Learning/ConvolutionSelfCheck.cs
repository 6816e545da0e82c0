using TorchSharp;
using static TorchSharp.torch;

namespace StreamSeq.Learning;

/// <summary>One convolution of the self-check and how far libtorch's float32 result was from the float64 reference.</summary>
/// <param name="Case">The shape checked, e.g. "conv2d 20→30 3×3, batch 4, input gradient".</param>
/// <param name="RelativeError">Largest absolute difference divided by the reference's largest magnitude (NaN when the result was not finite).</param>
public sealed record ConvolutionCheckCase(string Case, double RelativeError)
{
    /// <summary>Whether the result is within <see cref="ConvolutionSelfCheck.Tolerance"/> of the reference.</summary>
    public bool Passed => double.IsFinite(RelativeError) && RelativeError <= ConvolutionSelfCheck.Tolerance;
}

/// <summary>What the self-check found and which convolutions the process uses.</summary>
/// <param name="Backend">"oneDNN" (libtorch's default on x86-64) or "reference" (libtorch's own im2col/GEMM kernels).</param>
/// <param name="Reason">Why that backend: the check passed, failed (naming the worst case), or a setting chose it.</param>
/// <param name="Cases">Every case checked with oneDNN on (empty when a setting skipped the check).</param>
public sealed record ConvolutionBackendReport(string Backend, string Reason, IReadOnlyList<ConvolutionCheckCase> Cases)
{
    /// <summary>Whether oneDNN's kernels were found wrong on this CPU and turned off.</summary>
    public bool FellBack => Backend == "reference" && Cases.Any(c => !c.Passed);
}

/// <summary>
/// Checks libtorch's float32 convolutions (forward, input gradient and weight gradient) against a float64
/// reference on the shapes StreamSeq's networks use, and turns oneDNN off for the process when they disagree.
/// </summary>
/// <remarks>
/// <para>Why: on an AMD Zen 5 (EPYC family 26) under a hypervisor, libtorch 2.10's oneDNN convolutions whose
/// channel counts are not a multiple of the vector width (16 floats with AVX-512, 8 with AVX2) returned values off
/// by 30 % of their scale or NaN, with either ISA (<c>ONEDNN_MAX_CPU_ISA=AVX2</c> only moved which shapes broke).
/// Training then reached NaN and inference read wrong. Convolutions whose channel counts are multiples of 16 were
/// right, so the cases below are mostly channel tails, with strides 1 to 3, in 1-D and 2-D, at batch 1, 4 and 32.
/// Float64 convolutions never use oneDNN, so they are an independent reference on every CPU.</para>
/// <para>The tolerance: a float32 convolution output sums K = channels × kernel products; its rounding error is
/// bounded by about K·2⁻²⁴ times the sum of their magnitudes, which for the K ≤ 640 and unit-variance data here is
/// below 4·10⁻⁵ of the output's scale (seen: 2·10⁻⁷ to 1.2·10⁻⁵ on healthy kernels). 10⁻³ leaves a wide margin for
/// any summation order and is still 300 times below the errors of the broken kernels (0.1 to 0.5, or NaN).</para>
/// </remarks>
public static class ConvolutionSelfCheck
{
    /// <summary>Largest accepted error relative to the reference's scale.</summary>
    public const double Tolerance = 1e-3;

    /// <summary>The environment variable that overrides the check: <c>on</c> (keep oneDNN), <c>off</c> (never use it) or <c>auto</c>.</summary>
    public const string Setting = "STREAMSEQ_ONEDNN";

    private sealed record Shape(string Kind, long Batch, long In, long Out, long Kernel, long Stride, long[] Spatial);

    private static readonly Shape[] Shapes = BuildShapes();

    private static Shape[] BuildShapes()
    {
        // Small on purpose: the check runs in every process that builds a model, so it must cost milliseconds.
        // The broken kernels failed at every batch from 1 or 4 up and at every spatial size tried (24 to 517
        // columns), so batch 1 and 4 over short inputs find them.
        var shapes = new List<Shape>();
        foreach (var batch in new long[] { 1, 4 })
        {
            // The speech encoder's front-end (40 feature bins, stride 3) and channel tails in 1-D.
            shapes.Add(new Shape("conv1d", batch, 40, 128, 5, 3, [48]));
            shapes.Add(new Shape("conv1d", batch, 20, 30, 5, 1, [24]));
            shapes.Add(new Shape("conv1d", batch, 64, 64, 5, 1, [16]));
            // The CRNN's blocks at full (16/32/48) and pruned (10/20/30) widths, and a strided tail.
            shapes.Add(new Shape("conv2d", batch, 10, 20, 3, 1, [8, 24]));
            shapes.Add(new Shape("conv2d", batch, 20, 30, 3, 1, [8, 16]));
            shapes.Add(new Shape("conv2d", batch, 16, 32, 3, 1, [8, 24]));
            shapes.Add(new Shape("conv2d", batch, 12, 24, 3, 2, [8, 16]));
        }
        return [.. shapes];
    }

    /// <summary>Runs every case with the kernels libtorch now uses; <paramref name="seed"/> fixes the data.</summary>
    public static IReadOnlyList<ConvolutionCheckCase> Run(int seed = DefaultSeed)
    {
        var references = References(seed);
        try
        {
            return Run(references);
        }
        finally
        {
            foreach (var reference in references)
            {
                reference.Dispose();
            }
        }
    }

    private const int DefaultSeed = 20261203;

    private sealed record Reference(Shape Shape, Tensor X, Tensor W, Tensor Upstream, Tensor Y, Tensor Dx, Tensor Dw) : IDisposable
    {
        public void Dispose()
        {
            foreach (var tensor in new[] { X, W, Upstream, Y, Dx, Dw })
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>Inputs and float64 results of every case (float64 convolutions never use oneDNN).</summary>
    private static Reference[] References(int seed = DefaultSeed)
    {
        using var generator = new Generator((ulong)seed);
        using var gradients = torch.enable_grad();
        return [.. Shapes.Select(shape =>
        {
            using var scope = torch.NewDisposeScope();
            long[] inputShape = [shape.Batch, shape.In, .. shape.Spatial];
            long[] weightShape = [shape.Out, shape.In, .. shape.Spatial.Select(_ => shape.Kernel)];
            var x = torch.randn(inputShape, dtype: ScalarType.Float64, generator: generator);
            var w = torch.randn(weightShape, dtype: ScalarType.Float64, generator: generator).div_(Math.Sqrt(shape.In * Math.Pow(shape.Kernel, shape.Spatial.Length)));
            var upstream = torch.randn(Convolve(shape, x, w, null).Output.shape, dtype: ScalarType.Float64, generator: generator);
            var (y, dx, dw) = Convolve(shape, x, w, upstream);
            var reference = new Reference(shape, x, w, upstream, y, dx, dw);
            foreach (var tensor in new[] { x, w, upstream, y, dx, dw })
            {
                tensor.MoveToOuterDisposeScope();
            }
            return reference;
        })];
    }

    private static List<ConvolutionCheckCase> Run(IReadOnlyList<Reference> references)
    {
        var cases = new List<ConvolutionCheckCase>();
        using var gradients = torch.enable_grad();
        foreach (var r in references)
        {
            using var scope = torch.NewDisposeScope();
            var shape = r.Shape;
            var (y32, dx32, dw32) = Convolve(shape, r.X.to_type(ScalarType.Float32), r.W.to_type(ScalarType.Float32), r.Upstream.to_type(ScalarType.Float32));
            var name = $"{shape.Kind} {shape.In}→{shape.Out} k{shape.Kernel} s{shape.Stride}, batch {shape.Batch}";
            cases.Add(new ConvolutionCheckCase(name + ", output", RelativeError(y32, r.Y)));
            cases.Add(new ConvolutionCheckCase(name + ", input gradient", RelativeError(dx32, r.Dx)));
            cases.Add(new ConvolutionCheckCase(name + ", weight gradient", RelativeError(dw32, r.Dw)));
        }
        return cases;
    }

    /// <summary>
    /// Chooses the convolution kernels for this process: honours <see cref="Setting"/>, otherwise keeps oneDNN when
    /// every case passes and turns it off (then checks libtorch's reference kernels the same way) when one fails.
    /// </summary>
    internal static ConvolutionBackendReport Choose()
    {
        var setting = (Environment.GetEnvironmentVariable(Setting) ?? "auto").Trim().ToLowerInvariant();
        switch (setting)
        {
            case "on" or "1" or "true":
                return new ConvolutionBackendReport("oneDNN", $"{Setting}={setting}: oneDNN kept without a check", []);
            case "off" or "0" or "false":
                return LibTorchSwitches.TrySetOneDnn(false)
                    ? new ConvolutionBackendReport("reference", $"{Setting}={setting}: oneDNN turned off", [])
                    : new ConvolutionBackendReport("oneDNN", $"{Setting}={setting}, but libtorch's switch could not be reached", []);
            case "auto" or "":
                break;
            default:
                throw new InvalidOperationException($"{Setting}='{setting}' is not one of on, off, auto");
        }
        if (LibTorchSwitches.OneDnnEnabled == false)
        {
            return new ConvolutionBackendReport("reference", "oneDNN was already off", []);
        }
        // One thread: the shapes are tiny, and idle OpenMP workers would only spin.
        var threads = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            using var disposer = new ReferenceSet(References());
            var report = Choose(disposer.Items);
            return report with { Reason = report.Reason + $" (checked in {clock.Elapsed.TotalMilliseconds:0} ms)" };
        }
        finally
        {
            torch.set_num_threads(threads);
        }
    }

    private sealed class ReferenceSet(Reference[] items) : IDisposable
    {
        public Reference[] Items => items;

        public void Dispose()
        {
            foreach (var item in items)
            {
                item.Dispose();
            }
        }
    }

    private static ConvolutionBackendReport Choose(IReadOnlyList<Reference> references)
    {
        var cases = Run(references);
        var worst = cases.OrderByDescending(c => double.IsNaN(c.RelativeError) ? double.PositiveInfinity : c.RelativeError).First();
        if (cases.All(c => c.Passed))
        {
            return new ConvolutionBackendReport("oneDNN", $"oneDNN matched the float64 reference on {cases.Count} checks (worst {worst.RelativeError:0.0e0}, {worst.Case})", cases);
        }
        var failed = cases.Count(c => !c.Passed);
        var found = $"oneDNN's float32 convolutions are wrong on this CPU ({failed} of {cases.Count} checks failed; worst: {worst.Case}, {Describe(worst.RelativeError)})";
        if (!LibTorchSwitches.TrySetOneDnn(false))
        {
            return new ConvolutionBackendReport("oneDNN", found + ", and libtorch's switch to turn it off could not be reached: results will be wrong", cases);
        }
        var reference = Run(references);
        if (reference.Any(c => !c.Passed))
        {
            var bad = reference.First(c => !c.Passed);
            return new ConvolutionBackendReport("reference", found + $"; libtorch's reference kernels also failed ({bad.Case}, {Describe(bad.RelativeError)})", cases);
        }
        return new ConvolutionBackendReport("reference", found + "; using libtorch's reference convolutions instead, which passed every check (slower)", cases);
    }

    private static string Describe(double error) => double.IsFinite(error)
        ? "off by " + error.ToString("0.0e0", System.Globalization.CultureInfo.InvariantCulture) + " of its scale"
        : "not finite";

    private static (Tensor Output, Tensor InputGradient, Tensor WeightGradient) Convolve(Shape shape, Tensor x, Tensor w, Tensor? upstream)
    {
        var input = x.detach().requires_grad_(true);
        var weight = w.detach().requires_grad_(true);
        var output = shape.Kind == "conv1d"
            ? nn.functional.conv1d(input, weight, stride: shape.Stride, padding: shape.Kernel / 2)
            : nn.functional.conv2d(input, weight, strides: [shape.Stride, shape.Stride], padding: [shape.Kernel / 2, shape.Kernel / 2]);
        if (upstream is null)
        {
            return (output.detach(), input.detach(), weight.detach());
        }
        output.backward([upstream]);
        return (output.detach(), input.grad!.detach(), weight.grad!.detach());
    }

    private static double RelativeError(Tensor actual, Tensor reference)
    {
        var difference = (actual.to_type(ScalarType.Float64) - reference).abs().max().item<double>();
        var scale = reference.abs().max().item<double>();
        return double.IsFinite(difference) ? difference / Math.Max(scale, 1e-30) : double.NaN;
    }
}
