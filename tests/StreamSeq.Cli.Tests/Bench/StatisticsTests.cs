using StreamSeq.Cli.Bench;

namespace StreamSeq.Cli.Tests.Bench;

public sealed class StatisticsTests
{
    [Theory]
    [InlineData(new[] { 3.0 }, 3.0)]
    [InlineData(new[] { 9.0, 1.0, 5.0 }, 5.0)]
    [InlineData(new[] { 4.0, 1.0, 10.0, 2.0 }, 3.0)]
    [InlineData(new[] { 2.0, 2.0, 100.0 }, 2.0)]
    public void The_median_is_the_middle_value_or_the_mean_of_the_middle_two(double[] values, double median) =>
        Assert.Equal(median, Statistics.Median(values));

    [Fact]
    public void No_values_have_no_median() =>
        Assert.Throws<ArgumentException>(() => Statistics.Median([]));
}
