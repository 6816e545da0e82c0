using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace StreamSeq.Learning;

/// <summary>
/// A trained model on disk: one folder with the weights of each network (<c>*.pt</c>, TorchSharp's format)
/// and <c>model.json</c>, which says what the model is (kind, classes, input shapes, preprocessing), how it
/// was trained (seed, epochs, data) and how well it did. Readers check <see cref="Kind"/> and
/// <see cref="FormatVersion"/> before loading weights.
/// </summary>
public sealed class Checkpoint
{
    public const int CurrentFormatVersion = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>What kind of model (e.g. <c>actions.twostream</c>).</summary>
    public string Kind { get; init; } = "";

    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>Class names in output order.</summary>
    public IReadOnlyList<string> Classes { get; init; } = [];

    /// <summary>Model-specific settings (input sizes, preprocessing, architecture).</summary>
    public JsonObject Settings { get; init; } = [];

    /// <summary>How it was trained: seed, epochs, data, time.</summary>
    public JsonObject Training { get; init; } = [];

    /// <summary>Held-out results measured after training.</summary>
    public JsonObject Metrics { get; init; } = [];

    public const string FileName = "model.json";

    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        // Written beside and renamed over, so a process stopped mid-save (a checkpoint during training) never
        // leaves a truncated model.json.
        var path = Path.Combine(folder, FileName);
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(this, Json) + Environment.NewLine);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>Reads <c>model.json</c> of a model folder, checking its kind and format.</summary>
    public static Checkpoint Load(string folder, string expectedKind)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"no model at '{folder}' ({FileName} is missing); train one with 'streamseq train'", path);
        }
        Checkpoint? checkpoint;
        try
        {
            checkpoint = JsonSerializer.Deserialize<Checkpoint>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid model description: {e.Message}", e);
        }
        if (checkpoint is null || checkpoint.Kind != expectedKind)
        {
            throw new InvalidDataException($"{path}: a '{checkpoint?.Kind}' model, but '{expectedKind}' is needed");
        }
        if (checkpoint.FormatVersion > CurrentFormatVersion)
        {
            throw new InvalidDataException($"{path}: format {checkpoint.FormatVersion} is newer than this streamseq reads ({CurrentFormatVersion})");
        }
        return checkpoint;
    }
}
