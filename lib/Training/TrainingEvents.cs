namespace Workbook.Training;

/// <summary>Where a run stands, as progress reports say it.</summary>
public enum RunState
{
    /// <summary>Training now.</summary>
    Running,
    /// <summary>Trained to its last epoch.</summary>
    Finished,
    /// <summary>Loaded from this machine's run cache (runs/).</summary>
    Cached,
    /// <summary>Loaded from the published results in the repository (results/).</summary>
    Published,
    /// <summary>The loss became non-finite; training stopped there.</summary>
    Diverged,
    /// <summary>Early stopping ended it before its last epoch.</summary>
    StoppedEarly,
}

/// <summary>Words for run states, as tables and logs show them.</summary>
public static class RunStates
{
    /// <summary>running, finished, cached, published, diverged, stopped early.</summary>
    public static string Words(this RunState state) => state switch
    {
        RunState.StoppedEarly => "stopped early",
        _ => state.ToString().ToLowerInvariant(),
    };

    /// <summary>True for a state that ends a run (every state but <see cref="RunState.Running"/>).</summary>
    public static bool IsFinal(this RunState state) => state != RunState.Running;
}

/// <summary>A progress report from a training run: at its start, about once a second within an epoch, after every epoch and at the end.</summary>
/// <param name="Run">The run's display name.</param>
/// <param name="Epoch">Epochs completed so far.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="Last">The latest epoch's record, if any.</param>
/// <param name="State">Where the run stands.</param>
/// <param name="ElapsedSeconds">Seconds since the run started.</param>
/// <param name="Batch">Within a running epoch: batches done so far (0 between epochs).</param>
/// <param name="Batches">Batches per epoch.</param>
public sealed record TrainingProgress(string Run, int Epoch, int Epochs, EpochRecord? Last, RunState State, double ElapsedSeconds,
    int Batch = 0, int Batches = 0)
{
    /// <summary>Fraction of the whole run done, 0..1, counting the current epoch's batches.</summary>
    public double Fraction => Epochs == 0 ? 1 : Math.Min(1, (Epoch + (Batches > 0 ? (double)Batch / Batches : 0)) / Epochs);
}

/// <summary>
/// Every run's progress, published process-wide. The notebook runner listens to draw progress bars
/// in the terminal; notebooks get the same reports through the trainer's callback.
/// </summary>
public static class TrainingEvents
{
    /// <summary>Raised for every progress report of every run.</summary>
    public static event Action<TrainingProgress>? Progress;

    /// <summary>Sends a report to every listener; a failing listener never breaks training.</summary>
    public static void Publish(TrainingProgress report)
    {
        var handlers = Progress;
        if (handlers == null) return;
        foreach (Action<TrainingProgress> h in handlers.GetInvocationList())
        {
            try { h(report); } catch { /* a display problem must not stop a training run */ }
        }
    }
}
