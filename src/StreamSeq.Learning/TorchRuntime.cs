using TorchSharp;

namespace StreamSeq.Learning;

/// <summary>
/// One place that prepares libtorch for StreamSeq: loads the native library with an actionable message when
/// it cannot (the usual cause is a C++ runtime older than GCC 13's), checks that its convolutions are right on
/// this CPU (<see cref="ConvolutionSelfCheck"/>), seeds every generator, and caps the intra-op threads so a model
/// shares the machine with the pipeline around it.
/// </summary>
public static class TorchRuntime
{
    private static readonly Lazy<Exception?> LoadFailure = new(() =>
    {
        // libtorch logs "Could not initialize NNPACK! Reason: Unsupported hardware." once per operator kind on CPUs
        // its NNPACK does not know (24 lines at daemon start on a Zen 5); NNPACK is optional and nothing else it logs
        // at warning level is actionable for a user. A TORCH_CPP_LOG_LEVEL the user set wins.
        NativeEnvironment.SetIfUnset("TORCH_CPP_LOG_LEVEL", "ERROR");
        try
        {
            using var probe = torch.zeros(1);
            LibTorchSwitches.TryApplyLogLevelFromEnvironment();
            return null;
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException)
        {
            return e;
        }
    });

    private static readonly Lazy<ConvolutionBackendReport> Convolutions = new(() =>
    {
        var report = ConvolutionSelfCheck.Choose();
        if (report.Cases.Any(c => !c.Passed))
        {
            Warn?.Invoke(report.Reason);
        }
        return report;
    });

    /// <summary>Where notices about the native stack go (a logger in the daemon); standard error by default.</summary>
    public static Action<string> Warn { get; set; } = message => Console.Error.WriteLine("streamseq: " + message);

    /// <summary>Which convolution kernels this process uses and why (runs the self-check on first use).</summary>
    public static ConvolutionBackendReport ConvolutionBackend
    {
        get
        {
            EnsureLoaded();
            return Convolutions.Value;
        }
    }

    /// <summary>
    /// Loads libtorch and chooses correct convolution kernels for this CPU; throws an
    /// <see cref="InvalidOperationException"/> explaining how to fix a libtorch that does not load.
    /// </summary>
    public static void EnsureLoaded()
    {
        if (LoadFailure.Value is { } failure)
        {
            throw new InvalidOperationException(
                "libtorch (TorchSharp-cpu) could not be loaded: " + (failure.InnerException ?? failure).Message +
                ". It needs GLIBCXX_3.4.32 (GCC 13's libstdc++); run scripts/setup.sh, which installs it on Debian 12.", failure);
        }
        _ = Convolutions.Value;
    }

    /// <summary>Seeds torch's generator (weights, dropout) and sets the number of intra-op threads (0: leave as is).</summary>
    public static void Configure(int seed, int threads = 0)
    {
        EnsureLoaded();
        torch.manual_seed(seed);
        if (threads > 0)
        {
            torch.set_num_threads(threads);
        }
    }

    /// <summary>The process's torch intra-op threads as model stages and the host ask for them (first asker wins).</summary>
    public static TorchThreads Threads { get; } = new(count =>
    {
        EnsureLoaded();
        torch.set_num_threads(count);
    });

    /// <summary>Tensors alive on the calling thread (TorchSharp counts per thread).</summary>
    public static long ThreadLiveTensors => DisposeScopeManager.Statistics.ThreadTotalLiveCount;
}
