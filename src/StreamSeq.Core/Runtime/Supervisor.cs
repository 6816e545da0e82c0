using StreamSeq.Ingest;
using StreamSeq.Pipelines;

namespace StreamSeq.Runtime;

/// <summary>What a stage does after a failure.</summary>
internal enum FailureDecision
{
    Skip,
    Restart,
    Stop,
}

/// <summary>
/// Applies a stage's <c>onError</c> policy. Restarts are counted in a row: a packet handled successfully
/// resets the count, so a stage that fails now and then keeps going while one that cannot start gives up.
/// </summary>
internal sealed class Supervisor
{
    private readonly ErrorPolicy _policy;
    private readonly Backoff _backoff;
    private TimeSpan _nextDelay;

    public Supervisor(ErrorPolicy policy, RestartPolicy restart)
    {
        _policy = policy;
        _backoff = restart.CreateBackoff();
    }

    public int ConsecutiveFailures => _backoff.Failures;

    public void Succeeded()
    {
        // Checked first: successes are the hot path and need not write a shared field.
        if (_backoff.Failures != 0)
        {
            _backoff.Reset();
        }
    }

    public FailureDecision Decide()
    {
        var retry = _backoff.TryNext(out _nextDelay);
        return _policy switch
        {
            ErrorPolicy.Skip => FailureDecision.Skip,
            ErrorPolicy.Restart when retry => FailureDecision.Restart,
            _ => FailureDecision.Stop,
        };
    }

    /// <summary>The wait before the restart that the last <see cref="Decide"/> chose.</summary>
    public TimeSpan NextDelay => _nextDelay;
}
