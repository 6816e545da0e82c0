using System.Reactive.Concurrency;
using Microsoft.Extensions.Logging.Abstractions;
using StreamSeq.Learning;

namespace StreamSeq.Learning.Tests;

public sealed class ModelStageTests
{
    private static StageContext Context(string baseDirectory) =>
        new("test", "reader", NullLogger.Instance, ImmediateScheduler.Instance, baseDirectory);

    [Fact]
    public async Task A_started_stage_owns_its_model_until_stop_disposes_it()
    {
        var stage = new FakeModelStage("models/m");

        await stage.StartAsync(Context("/pipelines"), CancellationToken.None);
        var model = stage.Loaded!;
        Assert.Equal(Path.GetFullPath("/pipelines/models/m"), model.Folder);
        Assert.False(model.Disposed);
        await stage.StopAsync();
        await stage.StopAsync();

        Assert.True(model.Disposed);
        Assert.Throws<InvalidOperationException>(() => stage.CurrentModel);
    }

    [Fact]
    public async Task A_folder_that_cannot_be_read_is_reported_with_the_stage_and_the_folder()
    {
        var stage = new FakeModelStage("missing") { LoadFailure = new FileNotFoundException("model.json not found") };

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => stage.StartAsync(Context("/p"), CancellationToken.None).AsTask());

        Assert.StartsWith("reader: cannot load the model in '/p/missing': model.json not found", error.Message);
        Assert.IsType<FileNotFoundException>(error.InnerException);
    }

    [Fact]
    public async Task A_bad_option_found_while_preparing_disposes_the_model_and_names_the_stage()
    {
        var stage = new FakeModelStage("m") { PrepareFailure = new ArgumentException("lm weight must be positive") };

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => stage.StartAsync(Context("/p"), CancellationToken.None).AsTask());

        Assert.Equal("reader: lm weight must be positive", error.Message);
        Assert.True(stage.Loaded!.Disposed);
        Assert.Throws<InvalidOperationException>(() => stage.CurrentModel);
    }

    [Fact]
    public async Task Any_other_failure_while_preparing_also_disposes_the_model_and_propagates_as_is()
    {
        var stage = new FakeModelStage("m") { PrepareFailure = new InvalidOperationException("grammar missing") };

        await Assert.ThrowsAsync<InvalidOperationException>(() => stage.StartAsync(Context("/p"), CancellationToken.None).AsTask());

        Assert.True(stage.Loaded!.Disposed);
    }

    private sealed class FakeModel(string folder) : IDisposable
    {
        public string Folder { get; } = folder;

        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    private sealed class FakeModelStage(string folder) : ModelStage<int, int, FakeModel>
    {
        public Exception? LoadFailure { get; init; }

        public Exception? PrepareFailure { get; init; }

        public FakeModel? Loaded { get; private set; }

        public FakeModel CurrentModel => Model;

        protected override string ModelFolder => folder;

        protected override int Threads => 0;

        protected override FakeModel Load(string resolved)
        {
            if (LoadFailure is not null)
            {
                throw LoadFailure;
            }
            return Loaded = new FakeModel(resolved);
        }

        protected override string Prepare(FakeModel model, string resolved, StageContext context)
            => PrepareFailure is null ? "fake model" : throw PrepareFailure;

        public override ValueTask ProcessAsync(Packet<int> input, Emitter<int> output, CancellationToken cancellationToken)
            => output.EmitAsync(input.Payload, cancellationToken);
    }
}
