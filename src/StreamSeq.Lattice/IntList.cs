using System.Runtime.CompilerServices;

namespace StreamSeq.Lattice;

/// <summary>A growable int array without List's version checks, for arc maps built in hot loops.</summary>
internal sealed class IntList
{
    private int[] _items;

    public IntList(int capacity) => _items = new int[Math.Max(4, capacity)];

    public int Count { get; private set; }

    public int this[int index] => _items[index];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int value)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }
        _items[Count++] = value;
    }

    /// <summary>The items, exactly sized (the buffer itself when it already is).</summary>
    public int[] ToArray()
    {
        if (Count != _items.Length)
        {
            Array.Resize(ref _items, Count);
        }
        return _items;
    }
}
