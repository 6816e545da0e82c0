using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace StreamSeq.Learning;

/// <summary>
/// What every stage that runs a trained model does the same way: asks for its torch threads once for the
/// process (<see cref="TorchThreads"/>), loads the model folder named by its options (a folder that cannot be
/// read is reported with the stage and the folder), prepares what decoding needs (constraints, grammars,
/// decoders), disposing the model when that fails, logs one line, and releases the model's native memory when it stops.
/// </summary>
/// <typeparam name="TIn">Packets in.</typeparam>
/// <typeparam name="TOut">Packets out.</typeparam>
/// <typeparam name="TModel">The loaded model, owned by the stage from start to stop.</typeparam>
public abstract class ModelStage<TIn, TOut, TModel> : TransformStage<TIn, TOut>
    where TModel : class, IDisposable
{
    private TModel? _model;

    /// <summary>The loaded model; only between a successful start and stop.</summary>
    protected TModel Model => _model ?? throw new InvalidOperationException("the stage was not started");

    /// <summary>The model folder as the options name it (resolved against the pipeline's folder).</summary>
    protected abstract string ModelFolder { get; }

    /// <summary>The threads option (0: no preference).</summary>
    protected abstract int Threads { get; }

    /// <summary>Loads the model folder.</summary>
    protected abstract TModel Load(string folder);

    /// <summary>
    /// Prepares what the stage needs beside the model and returns the description its start is logged with.
    /// When this throws, the model is disposed; an <see cref="ArgumentException"/> (a bad option value) is
    /// reported as invalid data naming the stage.
    /// </summary>
    protected abstract string Prepare(TModel model, string folder, StageContext context);

    /// <summary>Releases per-run state other than the model (called before the model is disposed).</summary>
    protected virtual void Release()
    {
    }

    public sealed override ValueTask StartAsync(StageContext context, CancellationToken cancellationToken)
    {
        if (TorchRuntime.Threads.Request(Threads, $"{context.StageId}") is { } notice)
        {
            context.Logger.LogWarning("{Notice}", notice);
        }
        var folder = context.ResolvePath(ModelFolder);
        TModel model;
        try
        {
            model = Load(folder);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{context.StageId}: cannot load the model in '{folder}': {e.Message}", e);
        }
        try
        {
            var description = Prepare(model, folder, context);
            context.Logger.LogInformation("{Stage}: {Description}", context.StageId, description);
        }
        catch (ArgumentException e)
        {
            model.Dispose();
            throw new InvalidDataException($"{context.StageId}: {e.Message}", e);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        _model = model;
        return ValueTask.CompletedTask;
    }

    public sealed override ValueTask StopAsync()
    {
        Release();
        _model?.Dispose();
        _model = null;
        return ValueTask.CompletedTask;
    }
}
