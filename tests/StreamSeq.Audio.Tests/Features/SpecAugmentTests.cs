using StreamSeq.Audio.Features;

namespace StreamSeq.Audio.Tests.Features;

public sealed class SpecAugmentTests
{
    private static FeatureMatrix Ones(int frames, int bins) => new(frames, bins, Enumerable.Repeat(1f, frames * bins).ToArray());

    [Fact]
    public void The_same_seed_gives_the_same_masks_and_the_input_is_untouched()
    {
        var input = Ones(100, 40);
        var options = new SpecAugmentOptions { FrequencyMasks = 2, MaxFrequencyWidth = 10, TimeMasks = 2, MaxTimeWidth = 15 };
        var a = SpecAugment.Apply(input, options, new Random(42));
        var b = SpecAugment.Apply(input, options, new Random(42));
        var c = SpecAugment.Apply(input, options, new Random(43));
        Assert.Equal(a.Data, b.Data);
        Assert.NotEqual(a.Data, c.Data);
        Assert.All(input.Data, v => Assert.Equal(1f, v));
    }

    [Fact]
    public void Masks_are_whole_bands_and_spans_within_the_limits()
    {
        var options = new SpecAugmentOptions { FrequencyMasks = 1, MaxFrequencyWidth = 8, TimeMasks = 0 };
        for (var seed = 0; seed < 20; seed++)
        {
            var masked = SpecAugment.Apply(Ones(50, 40), options, new Random(seed));
            var zeroBins = Enumerable.Range(0, 40).Where(b => masked[0, b] == 0).ToList();
            Assert.InRange(zeroBins.Count, 0, 8);
            // A frequency mask covers the same bins in every frame, contiguously.
            Assert.All(Enumerable.Range(0, 50), f => Assert.Equal(zeroBins, Enumerable.Range(0, 40).Where(b => masked[f, b] == 0)));
            if (zeroBins.Count > 0)
            {
                Assert.Equal(zeroBins.Count - 1, zeroBins[^1] - zeroBins[0]);
            }
        }
        var time = new SpecAugmentOptions { FrequencyMasks = 0, TimeMasks = 1, MaxTimeWidth = 100, MaxTimeFraction = 0.1 };
        for (var seed = 0; seed < 20; seed++)
        {
            var masked = SpecAugment.Apply(Ones(50, 4), time, new Random(seed));
            var zeroFrames = Enumerable.Range(0, 50).Count(f => masked.Row(f).ToArray().All(v => v == 0));
            Assert.InRange(zeroFrames, 0, 5);
        }
    }
}
