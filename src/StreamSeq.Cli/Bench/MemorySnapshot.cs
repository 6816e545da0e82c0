using System.Diagnostics;
using System.Text.Json.Nodes;

namespace StreamSeq.Cli.Bench;

/// <summary>Collection counts: gen0, gen1, gen2.</summary>
internal readonly record struct GcCounts(int Gen0, int Gen1, int Gen2)
{
    public static GcCounts Now() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
}

/// <summary>
/// The process's memory after a full collection. The collection counts are read on both sides of that
/// collection, so the collections between two snapshots are the run's own, not the snapshots'.
/// </summary>
internal readonly record struct MemorySnapshot(long WorkingSet, long ManagedHeap, GcCounts BeforeCollect, GcCounts AfterCollect)
{
    public static MemorySnapshot Take()
    {
        var before = GcCounts.Now();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        var after = GcCounts.Now();
        using var process = Process.GetCurrentProcess();
        return new MemorySnapshot(process.WorkingSet64, heap, before, after);
    }

    /// <summary>Adds start and end figures and the collections between them to <paramref name="report"/>.</summary>
    public static JsonObject Describe(MemorySnapshot start, MemorySnapshot end, JsonObject report)
    {
        report["workingSetStartMiB"] = MiB(start.WorkingSet, 1);
        report["workingSetEndMiB"] = MiB(end.WorkingSet, 1);
        report["managedHeapStartMiB"] = MiB(start.ManagedHeap, 2);
        report["managedHeapEndMiB"] = MiB(end.ManagedHeap, 2);
        report["gcCollections"] = new JsonObject
        {
            ["gen0"] = end.BeforeCollect.Gen0 - start.AfterCollect.Gen0,
            ["gen1"] = end.BeforeCollect.Gen1 - start.AfterCollect.Gen1,
            ["gen2"] = end.BeforeCollect.Gen2 - start.AfterCollect.Gen2,
        };
        return report;
    }

    public static double MiB(long bytes, int digits) => Math.Round(bytes / 1048576.0, digits);
}
