using System.Text;
using System.Text.Json;

namespace StreamSeq.Cli.Tests.Support;

/// <summary>Reads JSON-lines files that another process may still be writing.</summary>
internal static class JsonLines
{
    /// <summary>
    /// The complete lines of the file (those ending in a newline) as read now; a last line still being written
    /// is left out. An absent file has no lines.
    /// </summary>
    public static IReadOnlyList<string> CompleteLines(string path)
    {
        string text;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            text = reader.ReadToEnd();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }
        var end = text.LastIndexOf('\n');
        return end < 0 ? [] : text[..end].Split('\n');
    }

    public static int Count(string path) => CompleteLines(path).Count;

    /// <summary>Every line of a finished file, parsed; fails on a line that is not complete JSON.</summary>
    public static IReadOnlyList<JsonElement> ReadAll(string path)
    {
        var text = File.ReadAllText(path);
        Assert.True(text.Length == 0 || text.EndsWith('\n'), $"{path} ends in the middle of a line: ...{text[Math.Max(0, text.Length - 80)..]}");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Parse).ToList();
    }

    /// <summary>Parses one line; fails the test, quoting the line, when it is not JSON.</summary>
    public static JsonElement Parse(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            Assert.Fail($"not a JSON line ({e.Message}): {line}");
            throw;
        }
    }
}
