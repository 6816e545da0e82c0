namespace StreamSeq.Learning;

/// <summary>Mini-batches for sequences of different lengths, shared by the trainers.</summary>
public static class LengthBatches
{
    /// <summary>
    /// Batches of indices 0..<paramref name="count"/>-1: shuffled, sorted by length within windows of 16 batches
    /// (so padding stays small), and the batches shuffled again. The same random state gives the same batches.
    /// </summary>
    public static List<List<int>> Shuffled(int count, Func<int, int> lengthOf, int size, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var order = Enumerable.Range(0, count).ToArray();
        random.Shuffle(order);
        var batches = new List<List<int>>();
        for (var start = 0; start < order.Length; start += size * 16)
        {
            var window = order.Skip(start).Take(size * 16).OrderBy(lengthOf).ToList();
            for (var b = 0; b < window.Count; b += size)
            {
                batches.Add(window.Skip(b).Take(size).ToList());
            }
        }
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batches));
        return batches;
    }
}
