using StreamSeq.Learning;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace StreamSeq.Learning.Tests;

public sealed class RaceFreeBatchNormTests
{
    [Fact]
    public void It_normalises_and_tracks_statistics_as_torch_BatchNorm2d_does()
    {
        TorchRuntime.Configure(9, 1);
        using var ours = RaceFreeBatchNorm.For2d(3);
        using var theirs = BatchNorm2d(3);
        for (var step = 0; step < 3; step++)
        {
            using var scope = NewDisposeScope();
            var input = (torch.randn(4, 3, 5, 6) * 2) + 1;
            Assert.True(ours.forward(input).allclose(theirs.forward(input), rtol: 1e-5, atol: 1e-6));
        }
        var (a, b) = (ours.state_dict(), theirs.state_dict());
        Assert.Equal(b.Keys.Order(), a.Keys.Order());
        foreach (var key in b.Keys)
        {
            Assert.True(a[key].to_type(ScalarType.Float64).allclose(b[key].to_type(ScalarType.Float64), rtol: 1e-5, atol: 1e-6), key);
        }
        Assert.Equal(3L, a["num_batches_tracked"].item<long>());

        // In evaluation mode the running statistics are used, and nothing is counted.
        ours.eval();
        theirs.eval();
        using var probe = torch.randn(2, 3, 4, 4);
        Assert.True(ours.forward(probe).allclose(theirs.forward(probe), rtol: 1e-5, atol: 1e-6));
        Assert.Equal(3L, a["num_batches_tracked"].item<long>());
    }

    [Fact]
    public void Weights_saved_from_torch_BatchNorm_load_and_read_the_same()
    {
        TorchRuntime.Configure(10, 1);
        var file = Path.Combine(Path.GetTempPath(), $"streamseq-bn-{Guid.NewGuid():N}.pt");
        try
        {
            using var theirs = BatchNorm1d(4);
            using (var scope = NewDisposeScope())
            {
                theirs.forward((torch.randn(8, 4, 10) * 3) - 2);
            }
            theirs.eval();
            theirs.save(file);
            using var ours = RaceFreeBatchNorm.For1d(4);
            ours.load(file);
            ours.eval();
            using var probe = torch.randn(2, 4, 7);
            Assert.True(ours.forward(probe).allclose(theirs.forward(probe), rtol: 1e-5, atol: 1e-6));
            Assert.Throws<ArgumentException>(() => ours.forward(torch.randn(2, 4, 7, 7)));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
