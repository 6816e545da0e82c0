using System.Text.Json;

namespace StreamSeq.Json;

/// <summary>
/// A JSON value that remembers where it was written, so validation can point at file:line:col.
/// System.Text.Json's DOM drops positions, hence this small tree built from <see cref="Utf8JsonReader"/>.
/// </summary>
public abstract class LocatedNode
{
    protected LocatedNode(SourceLocation location, JsonValueKind kind)
    {
        Location = location;
        Kind = kind;
    }

    /// <summary>Where the value starts.</summary>
    public SourceLocation Location { get; }

    /// <summary>The JSON kind of the value.</summary>
    public JsonValueKind Kind { get; }

    /// <summary>The value as standalone JSON (for binding to options with System.Text.Json).</summary>
    public abstract JsonElement ToElement();

    /// <summary>A short name of the JSON kind for messages.</summary>
    public string KindName => Kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}

/// <summary>A property of a <see cref="LocatedObject"/>.</summary>
public sealed record LocatedProperty(string Name, SourceLocation NameLocation, LocatedNode Value);

/// <summary>A JSON object with located properties (in file order; duplicates kept for validation).</summary>
public sealed class LocatedObject : LocatedNode
{
    public LocatedObject(SourceLocation location, IReadOnlyList<LocatedProperty> properties)
        : base(location, JsonValueKind.Object) => Properties = properties;

    public IReadOnlyList<LocatedProperty> Properties { get; }

    /// <summary>The last property with this name, as System.Text.Json would bind it.</summary>
    public LocatedProperty? Find(string name) => Properties.LastOrDefault(p => p.Name == name);

    /// <summary>Returns a copy with one property replaced or added.</summary>
    public LocatedObject With(LocatedProperty property)
    {
        var list = Properties.Where(p => p.Name != property.Name).ToList();
        list.Add(property);
        return new LocatedObject(Location, list);
    }

    public override JsonElement ToElement()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in Properties)
            {
                writer.WritePropertyName(property.Name);
                property.Value.ToElement().WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        return JsonDocument.Parse(buffer.ToArray()).RootElement.Clone();
    }
}

/// <summary>A JSON array of located items.</summary>
public sealed class LocatedArray : LocatedNode
{
    public LocatedArray(SourceLocation location, IReadOnlyList<LocatedNode> items)
        : base(location, JsonValueKind.Array) => Items = items;

    public IReadOnlyList<LocatedNode> Items { get; }

    public override JsonElement ToElement()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var item in Items)
            {
                item.ToElement().WriteTo(writer);
            }
            writer.WriteEndArray();
        }
        return JsonDocument.Parse(buffer.ToArray()).RootElement.Clone();
    }
}

/// <summary>A JSON string, number, boolean or null.</summary>
public sealed class LocatedValue : LocatedNode
{
    private readonly JsonElement _element;

    public LocatedValue(SourceLocation location, JsonElement element)
        : base(location, element.ValueKind) => _element = element;

    /// <summary>The string value, or null when the value is not a string.</summary>
    public string? AsString => Kind == JsonValueKind.String ? _element.GetString() : null;

    public override JsonElement ToElement() => _element;

    /// <summary>Parses a command-line value: JSON when it parses as JSON, otherwise a plain string.</summary>
    public static LocatedValue FromCommandLine(string text, SourceLocation location)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
            {
                return new LocatedValue(location, document.RootElement.Clone());
            }
        }
        catch (JsonException)
        {
        }
        return new LocatedValue(location, JsonSerializer.SerializeToElement(text));
    }

    public override string ToString() => _element.GetRawText();
}
