using System.Text.Json.Serialization;

namespace StreamSeq;

/// <summary>One class and its score, as listed in a <see cref="Prediction"/>'s top-k.</summary>
/// <param name="Label">The class name.</param>
/// <param name="Score">Its probability (0..1).</param>
public sealed record ScoredLabel(string Label, double Score);

/// <summary>
/// A model's answer for a span of a stream (a clip of video, an utterance): the best label, its score, the
/// top-k alternatives and the span's media times, so a reader can line predictions up with the source.
/// </summary>
/// <param name="Label">The best class.</param>
/// <param name="Score">Its probability (0..1).</param>
/// <param name="TopK">The best classes, best first (the first is <paramref name="Label"/>).</param>
/// <param name="Start">Media time of the span's first sample, in seconds from the stream's start.</param>
/// <param name="End">Media time of the span's last sample, in seconds.</param>
/// <param name="Model">Which model answered (its name or variant), for logs and comparisons.</param>
public sealed record Prediction(string Label, double Score, [property: JsonPropertyName("topk")] IReadOnlyList<ScoredLabel> TopK, double Start, double End, string Model);
