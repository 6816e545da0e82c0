namespace StreamSeq.Ocr.Data;

/// <summary>
/// The characters a recogniser reads. Class 0 is the CTC blank; character i of <see cref="Characters"/> is
/// class i + 1. Encoding a label with a character outside the alphabet is an error that names the character
/// and where it came from.
/// </summary>
public sealed class OcrAlphabet
{
    /// <summary>The CTC blank's class.</summary>
    public const int Blank = 0;

    /// <summary>Digits, letters, space and common punctuation: what the generated printed lines use.</summary>
    public const string DefaultCharacters = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,:;-'!?()/&%$#+*=";

    private readonly Dictionary<char, int> _index = [];

    public OcrAlphabet(string characters)
    {
        ArgumentException.ThrowIfNullOrEmpty(characters);
        for (var i = 0; i < characters.Length; i++)
        {
            if (!_index.TryAdd(characters[i], i + 1))
            {
                throw new ArgumentException($"the alphabet lists '{characters[i]}' twice", nameof(characters));
            }
        }
        Characters = characters;
    }

    /// <summary>The characters in class order (class = index + 1).</summary>
    public string Characters { get; }

    /// <summary>Classes including the blank.</summary>
    public int ClassCount => Characters.Length + 1;

    /// <summary>The default alphabet.</summary>
    public static OcrAlphabet Default { get; } = new(DefaultCharacters);

    /// <summary>Whether every character of <paramref name="text"/> is in the alphabet.</summary>
    public bool Covers(string text) => text.All(_index.ContainsKey);

    /// <summary>The classes of <paramref name="text"/>'s characters.</summary>
    /// <param name="text">A label.</param>
    /// <param name="source">Where the label came from (file and line), for the error message.</param>
    /// <exception cref="InvalidDataException">A character is not in the alphabet.</exception>
    public int[] Encode(string text, string source = "label")
    {
        var classes = new int[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            if (!_index.TryGetValue(text[i], out classes[i]))
            {
                throw new InvalidDataException($"{source}: '{text}' has the character '{text[i]}' (U+{(int)text[i]:X4}) at position {i + 1}, which is not in the model's alphabet \"{Characters}\"");
            }
        }
        return classes;
    }

    /// <summary>The text of a class sequence (blanks skipped).</summary>
    public string Decode(IEnumerable<int> classes) =>
        new([.. classes.Where(c => c > Blank && c <= Characters.Length).Select(c => Characters[c - 1])]);

    /// <summary>The character of class <paramref name="label"/> (1-based; the blank has none).</summary>
    public char CharOf(int label) => Characters[label - 1];

    /// <summary>The class of <paramref name="c"/>, or -1.</summary>
    public int ClassOf(char c) => _index.TryGetValue(c, out var k) ? k : -1;
}
