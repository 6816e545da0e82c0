using StreamSeq.Learning;

namespace StreamSeq.Learning.Tests;

public sealed class ConvolutionSelfCheckTests
{
    [Fact]
    public void The_convolutions_this_process_uses_match_the_float64_reference_on_every_case()
    {
        // Whatever this CPU is and whatever ONEDNN_MAX_CPU_ISA says, the kernels TorchRuntime chose must be right:
        // on a CPU whose oneDNN kernels are wrong (a Zen 5 was), they are libtorch's reference kernels instead.
        var backend = TorchRuntime.ConvolutionBackend;
        var cases = ConvolutionSelfCheck.Run();

        Assert.NotEmpty(cases);
        Assert.All(cases, c => Assert.True(c.Passed, $"{c.Case}: error {c.RelativeError} with {backend.Backend} ({backend.Reason})"));
    }

    [Fact]
    public void The_report_says_which_kernels_and_why()
    {
        var backend = TorchRuntime.ConvolutionBackend;

        Assert.Contains(backend.Backend, new[] { "oneDNN", "reference" });
        Assert.False(string.IsNullOrWhiteSpace(backend.Reason));
        if (backend.FellBack)
        {
            Assert.Contains("wrong on this CPU", backend.Reason);
            Assert.Equal(false, LibTorchSwitches.OneDnnEnabled);
        }
    }

    [Fact]
    public void A_case_passes_only_when_finite_and_within_tolerance()
    {
        Assert.True(new ConvolutionCheckCase("x", 1e-6).Passed);
        Assert.False(new ConvolutionCheckCase("x", 0.3).Passed);
        Assert.False(new ConvolutionCheckCase("x", double.NaN).Passed);
    }
}
