namespace StreamSeq.Learning;

/// <summary>
/// Process-wide count of tensors StreamSeq's model stages hold: parameters of loaded models, and any tensor
/// an inference call leaves behind (measured with TorchSharp's per-thread live count around each call).
/// After a pipeline run ends it must read zero: a test and long soak runs check it.
/// </summary>
public static class TensorLedger
{
    private static long s_live;

    /// <summary>Tensors held or leaked now.</summary>
    public static long Live => Interlocked.Read(ref s_live);

    /// <summary>Records <paramref name="count"/> tensors taken (positive) or given back (negative).</summary>
    public static void Add(long count) => Interlocked.Add(ref s_live, count);

    /// <summary>Runs <paramref name="work"/> on this thread and books any tensors it leaves alive.</summary>
    public static T Measure<T>(Func<T> work)
    {
        var before = TorchRuntime.ThreadLiveTensors;
        try
        {
            return work();
        }
        finally
        {
            Add(TorchRuntime.ThreadLiveTensors - before);
        }
    }
}
