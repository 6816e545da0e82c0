using System.Runtime.InteropServices;

namespace StreamSeq.Cli;

/// <summary>
/// Turns Ctrl+C and SIGTERM into a cancellation the verb handles itself (drain, then exit), instead of the
/// process dying mid-write. A second Ctrl+C is left to the runtime: it kills the process.
/// </summary>
internal sealed class TerminationSignal : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration[] _registrations;

    public TerminationSignal()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
        ];
    }

    public CancellationToken Token => _source.Token;

    private void Handle(PosixSignalContext context)
    {
        if (_source.IsCancellationRequested)
        {
            return;
        }
        context.Cancel = true;
        Console.Error.WriteLine($"streamseq: {context.Signal} received, draining (again to abort)");
        _source.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
        _source.Dispose();
    }
}
