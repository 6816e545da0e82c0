using System.Globalization;
using System.Text;
using StreamSeq.Runtime;

namespace StreamSeq.Cli;

/// <summary>The per-stage table <c>streamseq run --stats</c> prints when a run ends.</summary>
internal static class StatsTable
{
    public static string Format(PipelineResult result)
    {
        string[] headers = ["stage", "type", "in", "out", "dropped", "failed", "restarts", "queue max", "p50 ms", "p99 ms"];
        var rows = result.Stages.Select(s => new[]
        {
            s.StageId,
            s.StageType,
            N(s.In),
            N(s.Out),
            N(s.Dropped + s.Abandoned),
            N(s.Failed),
            N(s.Restarts),
            N(s.MaxQueueDepth),
            Ms(s.Latency.PercentileMilliseconds(0.5), s.Latency.Count),
            Ms(s.Latency.PercentileMilliseconds(0.99), s.Latency.Count),
        }).ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"pipeline '{result.Pipeline}': {(result.Succeeded ? "completed" : result.Aborted ? "aborted" : "failed")} in {result.Elapsed.TotalSeconds:0.000} s");
        Append(text, headers, widths);
        foreach (var row in rows)
        {
            Append(text, row, widths);
        }
        return text.ToString();
    }

    private static void Append(StringBuilder text, string[] cells, int[] widths)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            text.Append(i < 2 ? cells[i].PadRight(widths[i]) : cells[i].PadLeft(widths[i]));
            text.Append(i == cells.Length - 1 ? Environment.NewLine : "  ");
        }
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Ms(double value, long count) => count == 0 ? "-" : value.ToString(value < 1 ? "0.000" : "0.0", CultureInfo.InvariantCulture);
}
