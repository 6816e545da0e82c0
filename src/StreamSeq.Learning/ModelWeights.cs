using TorchSharp;

namespace StreamSeq.Learning;

/// <summary>Loads a model folder's weight files into freshly built networks, the same way for every model kind.</summary>
public static class ModelWeights
{
    /// <summary>
    /// Loads each network's weights from its file in <paramref name="folder"/> and switches it to evaluation
    /// mode. When a file does not fit its network, <paramref name="owner"/> (the model holding the networks)
    /// is disposed, so no tensor is left without an owner, and the error names the folder.
    /// </summary>
    public static void Load(string folder, IDisposable owner, params (torch.nn.Module Network, string File)[] networks)
    {
        try
        {
            foreach (var (network, file) in networks)
            {
                network.load(Path.Combine(folder, file));
            }
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            owner.Dispose();
            throw new InvalidDataException($"{folder}: the weights do not match model.json ({e.Message})", e);
        }
        foreach (var (network, _) in networks)
        {
            network.eval();
        }
    }
}
