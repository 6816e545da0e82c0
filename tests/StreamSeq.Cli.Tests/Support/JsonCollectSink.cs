using System.Collections.Concurrent;
using System.Text.Json;
using StreamSeq.Json;

namespace StreamSeq.Cli.Tests.Support;

public sealed class JsonCollectOptions
{
    /// <summary>The bucket in <see cref="JsonCollectSink.Of"/> (each test uses its own).</summary>
    public string Name { get; init; } = "default";
}

/// <summary>
/// Keeps each payload as the JSON sinks would write it, so tests can inspect payload types they cannot name
/// (a plugin's, loaded in its own load context).
/// </summary>
[Stage("test.collect-json")]
public sealed class JsonCollectSink : SinkStage<object>
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<(Type Type, JsonElement Json)>> Buckets = new();
    private readonly JsonCollectOptions _options;

    public JsonCollectSink(JsonCollectOptions options) => _options = options;

    public static ConcurrentQueue<(Type Type, JsonElement Json)> Of(string name) => Buckets.GetOrAdd(name, _ => new());

    public override ValueTask ConsumeAsync(Packet<object> input, CancellationToken cancellationToken)
    {
        var type = input.Payload.GetType();
        Of(_options.Name).Enqueue((type, JsonSerializer.SerializeToElement(input.Payload, type, OptionJson.Options)));
        return ValueTask.CompletedTask;
    }
}
