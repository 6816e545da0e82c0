using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;

namespace StreamSeq.Runtime;

/// <summary>A channel reader that counts what a many-input stage takes, for its metrics.</summary>
internal sealed class CountingReader<T> : ChannelReader<T>
{
    private readonly ChannelReader<T> _inner;
    private readonly StageMetrics _metrics;

    public CountingReader(ChannelReader<T> inner, StageMetrics metrics)
    {
        _inner = inner;
        _metrics = metrics;
    }

    public override Task Completion => _inner.Completion;

    public override bool CanCount => _inner.CanCount;

    public override int Count => _inner.Count;

    public override bool CanPeek => _inner.CanPeek;

    public override bool TryPeek([MaybeNullWhen(false)] out T item) => _inner.TryPeek(out item);

    public override bool TryRead([MaybeNullWhen(false)] out T item)
    {
        if (_inner.TryRead(out item))
        {
            _metrics.CountInShared();
            return true;
        }
        return false;
    }

    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => _inner.WaitToReadAsync(cancellationToken);
}
