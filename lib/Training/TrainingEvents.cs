namespace Workbook.Training;

/// <summary>A progress report from a training run, sent after every epoch and at start and end.</summary>
/// <param name="Run">The run's display name.</param>
/// <param name="Epoch">Epochs completed so far.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="Last">The latest epoch's record, if any.</param>
/// <param name="State">running, finished, cached, diverged or stopped-early.</param>
/// <param name="ElapsedSeconds">Seconds since the run started.</param>
public sealed record TrainingProgress(string Run, int Epoch, int Epochs, EpochRecord? Last, string State, double ElapsedSeconds);

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
