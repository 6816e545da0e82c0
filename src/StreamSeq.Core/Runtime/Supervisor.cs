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
    private readonly RestartPolicy _restart;
    private int _consecutive;

    public Supervisor(ErrorPolicy policy, RestartPolicy restart)
    {
        _policy = policy;
        _restart = restart;
    }

    public int ConsecutiveFailures => _consecutive;

    public void Succeeded()
    {
        if (_consecutive != 0)
        {
            _consecutive = 0;
        }
    }

    public FailureDecision Decide()
    {
        _consecutive++;
        return _policy switch
        {
            ErrorPolicy.Skip => FailureDecision.Skip,
            ErrorPolicy.Restart when _consecutive <= _restart.MaxAttempts => FailureDecision.Restart,
            _ => FailureDecision.Stop,
        };
    }

    public TimeSpan NextDelay => _restart.DelayFor(Math.Max(1, _consecutive));
}
