namespace StreamSeq.Learning;

/// <summary>
/// Torch's intra-op thread count, which is one setting per process however many model stages run in it. The
/// first to ask (the host's <c>StreamSeq:TorchThreads</c>, or else the first model stage to start) sets it;
/// a later request for another count is reported, naming who set the one in force, instead of silently
/// changing every other stage's threads as the last stage to start used to.
/// </summary>
public sealed class TorchThreads
{
    private readonly Action<int> _apply;
    private readonly object _gate = new();

    /// <summary>Creates the setting; <paramref name="apply"/> changes the real count (torch's, in <see cref="TorchRuntime.Threads"/>).</summary>
    public TorchThreads(Action<int> apply) => _apply = apply;

    /// <summary>The count in force and who set it, or null while nobody has.</summary>
    public (int Count, string SetBy)? Current { get; private set; }

    /// <summary>
    /// Asks for <paramref name="count"/> threads on behalf of <paramref name="requester"/> (0: no preference).
    /// Returns a notice when the request cannot be honoured because another count is already in force.
    /// </summary>
    public string? Request(int count, string requester)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0)
        {
            return null;
        }
        lock (_gate)
        {
            if (Current is null)
            {
                _apply(count);
                Current = (count, requester);
                return null;
            }
            var (inForce, setBy) = Current.Value;
            return inForce == count ? null
                : $"{requester}: threads {count} not applied: torch's intra-op threads are one setting per process and {setBy} set {inForce}; set StreamSeq:TorchThreads (appsettings.json or --torch-threads) to choose them for the whole process";
        }
    }
}
