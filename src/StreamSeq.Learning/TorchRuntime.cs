using TorchSharp;

namespace StreamSeq.Learning;

/// <summary>
/// One place that prepares libtorch for StreamSeq: loads the native library with an actionable message when
/// it cannot (the usual cause is a C++ runtime older than GCC 13's), seeds every generator, and caps the
/// intra-op threads so a model shares the machine with the pipeline around it.
/// </summary>
public static class TorchRuntime
{
    private static readonly Lazy<Exception?> LoadFailure = new(() =>
    {
        try
        {
            using var probe = torch.zeros(1);
            return null;
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException)
        {
            return e;
        }
    });

    /// <summary>Throws an <see cref="InvalidOperationException"/> explaining how to fix a libtorch that does not load.</summary>
    public static void EnsureLoaded()
    {
        if (LoadFailure.Value is { } failure)
        {
            throw new InvalidOperationException(
                "libtorch (TorchSharp-cpu) could not be loaded: " + (failure.InnerException ?? failure).Message +
                ". It needs GLIBCXX_3.4.32 (GCC 13's libstdc++); run scripts/setup.sh, which installs it on Debian 12.", failure);
        }
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

    /// <summary>Tensors alive on the calling thread (TorchSharp counts per thread).</summary>
    public static long ThreadLiveTensors => DisposeScopeManager.Statistics.ThreadTotalLiveCount;
}
