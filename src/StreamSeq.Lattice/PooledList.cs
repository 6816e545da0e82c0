using System.Buffers;
using System.Runtime.CompilerServices;

namespace StreamSeq.Lattice;

/// <summary>A growable buffer rented from the shared array pool, for an operation's temporary arrays: repeated
/// calls (one composition per training sample) then reuse memory instead of allocating large-object-heap arrays
/// each time. Dispose returns it.</summary>
internal sealed class PooledList<T> : IDisposable
{
    private T[] _items;

    public PooledList(int capacity) => _items = ArrayPool<T>.Shared.Rent(Math.Max(16, capacity));

    public int Count { get; private set; }

    public Span<T> Span => _items.AsSpan(0, Count);

    public ref T this[int index] => ref _items[index];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(T value)
    {
        if (Count == _items.Length)
        {
            Grow();
        }
        _items[Count++] = value;
    }

    private void Grow()
    {
        var bigger = ArrayPool<T>.Shared.Rent(_items.Length * 2);
        Array.Copy(_items, bigger, Count);
        ArrayPool<T>.Shared.Return(_items);
        _items = bigger;
    }

    public void Dispose()
    {
        var items = _items;
        _items = [];
        Count = 0;
        if (items.Length > 0)
        {
            ArrayPool<T>.Shared.Return(items);
        }
    }
}
