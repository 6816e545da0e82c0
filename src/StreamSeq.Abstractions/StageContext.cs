using System.Reactive.Concurrency;
using Microsoft.Extensions.Logging;

namespace StreamSeq;

/// <summary>What a running stage may know about where it runs. Handed to <see cref="Stage.StartAsync"/>.</summary>
public sealed class StageContext
{
    /// <summary>Creates a context.</summary>
    public StageContext(string pipelineName, string stageId, ILogger logger, IScheduler scheduler, string baseDirectory, int restarts = 0)
    {
        Restarts = restarts;
        PipelineName = pipelineName;
        StageId = stageId;
        Logger = logger;
        Scheduler = scheduler;
        BaseDirectory = baseDirectory;
    }

    /// <summary>The pipeline's name.</summary>
    public string PipelineName { get; }

    /// <summary>The stage's id in the pipeline file.</summary>
    public string StageId { get; }

    /// <summary>A logger scoped to the stage.</summary>
    public ILogger Logger { get; }

    /// <summary>The clock and timer source for time logic; tests substitute a virtual-time scheduler.</summary>
    public IScheduler Scheduler { get; }

    /// <summary>
    /// How many instances of this stage ran before this one in the same run (0 for the first). A restarted
    /// sink appends to what its predecessors wrote instead of starting the file over.
    /// </summary>
    public int Restarts { get; }

    /// <summary>The directory relative paths in options are resolved against.</summary>
    public string BaseDirectory { get; }

    /// <summary>Resolves a path from the options against <see cref="BaseDirectory"/>.</summary>
    public string ResolvePath(string path) => Path.GetFullPath(path, BaseDirectory);
}
