using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace StreamSeq.Json;

/// <summary>Raised for text that is not JSON, with the position of the first error.</summary>
public sealed class LocatedJsonException : Exception
{
    public LocatedJsonException(string message, SourceLocation location) : base(message) => Location = location;

    public SourceLocation Location { get; }
}

/// <summary>Parses JSON (comments and trailing commas allowed) into a located tree.</summary>
public static class LocatedJsonParser
{
    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = 64,
    };

    /// <summary>Parses <paramref name="utf8"/>, naming <paramref name="file"/> in locations.</summary>
    /// <exception cref="LocatedJsonException">The text is not valid JSON.</exception>
    public static LocatedNode Parse(ReadOnlySpan<byte> utf8, string file)
    {
        if (utf8.StartsWith(Encoding.UTF8.Preamble))
        {
            utf8 = utf8[Encoding.UTF8.Preamble.Length..];
        }
        var lines = new LineMap(utf8, file);
        if (!Utf8.IsValid(utf8))
        {
            // The reader would accept such bytes inside strings and fail later, when a value is decoded.
            Utf8.ToUtf16(utf8, new char[utf8.Length], out var valid, out _, replaceInvalidSequences: false);
            throw new LocatedJsonException("the file is not valid UTF-8 text", lines.At(valid));
        }
        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        try
        {
            if (!reader.Read())
            {
                throw new LocatedJsonException("the file is empty; expected a JSON object", new SourceLocation(file, 1, 1));
            }
            var root = ReadValue(ref reader, utf8, lines);
            if (reader.Read())
            {
                throw new LocatedJsonException("unexpected content after the end of the JSON value", lines.At((int)reader.TokenStartIndex));
            }
            return root;
        }
        catch (JsonException e)
        {
            var line = (int)(e.LineNumber ?? 0) + 1;
            // The reader counts bytes; people and the rest of the diagnostics count characters.
            var column = lines.CharacterColumn(line, (int)(e.BytePositionInLine ?? 0));
            var message = e.Message;
            var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0)
            {
                message = message[..cut];
            }
            throw new LocatedJsonException("malformed JSON: " + message.TrimEnd('.', ' '), new SourceLocation(file, line, column));
        }
    }

    private static LocatedNode ReadValue(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, LineMap lines)
    {
        var location = lines.At((int)reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var properties = new List<LocatedProperty>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var nameLocation = lines.At((int)reader.TokenStartIndex);
                    var name = reader.GetString()!;
                    reader.Read();
                    properties.Add(new LocatedProperty(name, nameLocation, ReadValue(ref reader, utf8, lines)));
                }
                return new LocatedObject(location, properties);
            case JsonTokenType.StartArray:
                var items = new List<LocatedNode>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(ReadValue(ref reader, utf8, lines));
                }
                return new LocatedArray(location, items);
            default:
                var start = (int)reader.TokenStartIndex;
                var end = (int)reader.BytesConsumed;
                using (var document = JsonDocument.Parse(utf8[start..end].ToArray()))
                {
                    return new LocatedValue(location, document.RootElement.Clone());
                }
        }
    }

    /// <summary>Maps byte offsets to 1-based line and character column.</summary>
    private sealed class LineMap
    {
        private readonly byte[] _text;
        private readonly List<int> _lineStarts = [0];
        private readonly string _file;

        public LineMap(ReadOnlySpan<byte> utf8, string file)
        {
            _text = utf8.ToArray();
            _file = file;
            for (var i = 0; i < _text.Length; i++)
            {
                if (_text[i] == (byte)'\n')
                {
                    _lineStarts.Add(i + 1);
                }
            }
        }

        public int CharacterColumn(int line, int bytesIntoLine)
        {
            if (line - 1 >= _lineStarts.Count)
            {
                return bytesIntoLine + 1;
            }
            var start = _lineStarts[line - 1];
            var length = Math.Clamp(bytesIntoLine, 0, _text.Length - start);
            return Encoding.UTF8.GetCharCount(_text, start, length) + 1;
        }

        public SourceLocation At(int offset)
        {
            var index = _lineStarts.BinarySearch(offset);
            var line = index >= 0 ? index : ~index - 1;
            var column = Encoding.UTF8.GetCharCount(_text, _lineStarts[line], offset - _lineStarts[line]) + 1;
            return new SourceLocation(_file, line + 1, column);
        }
    }
}
