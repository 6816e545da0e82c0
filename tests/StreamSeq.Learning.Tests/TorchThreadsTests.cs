using StreamSeq.Learning;

namespace StreamSeq.Learning.Tests;

public sealed class TorchThreadsTests
{
    [Fact]
    public void The_first_request_sets_the_count_and_a_different_later_one_is_reported_not_applied()
    {
        var applied = new List<int>();
        var threads = new TorchThreads(applied.Add);

        Assert.Null(threads.Request(0, "no preference"));
        Assert.Null(threads.Current);
        Assert.Null(threads.Request(2, "StreamSeq:TorchThreads"));
        Assert.Null(threads.Request(2, "ocr"));
        var notice = threads.Request(4, "speech");

        Assert.Equal([2], applied);
        Assert.Equal((2, "StreamSeq:TorchThreads"), threads.Current);
        Assert.NotNull(notice);
        Assert.Contains("speech", notice);
        Assert.Contains("StreamSeq:TorchThreads set 2", notice);
        Assert.Throws<ArgumentOutOfRangeException>(() => threads.Request(-1, "bad"));
    }
}
