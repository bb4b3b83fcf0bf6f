namespace Workbook.Training;

/// <summary>
/// What one epoch measured. Training loss and accuracy are running averages over the epoch's
/// batches, with dropout active (as Keras and most PyTorch loops report them); validation and test
/// figures are measured after the epoch in evaluation mode.
/// </summary>
public sealed record EpochRecord
{
    /// <summary>1-based epoch number.</summary>
    public int Epoch { get; init; }
    /// <summary>Mean training loss over the epoch (penalties excluded).</summary>
    public double TrainLoss { get; init; }
    /// <summary>Training accuracy over the epoch, 0..1.</summary>
    public double TrainAccuracy { get; init; }
    /// <summary>Validation loss, when there is a validation set.</summary>
    public double? ValidationLoss { get; init; }
    /// <summary>Validation accuracy, 0..1.</summary>
    public double? ValidationAccuracy { get; init; }
    /// <summary>Test loss, when the test set is evaluated every epoch.</summary>
    public double? TestLoss { get; init; }
    /// <summary>Test accuracy, 0..1.</summary>
    public double? TestAccuracy { get; init; }
    /// <summary>Learning rate used during the epoch.</summary>
    public double LearningRate { get; init; }
    /// <summary>Wall-clock seconds of the epoch's training pass.</summary>
    public double Seconds { get; init; }
}

/// <summary>The per-epoch record of a run, with helpers for the questions the notebooks ask of it.</summary>
public sealed class History
{
    /// <summary>The epochs, in order.</summary>
    public List<EpochRecord> Epochs { get; init; } = new();

    /// <summary>Number of epochs recorded.</summary>
    public int Count => Epochs.Count;

    /// <summary>The last epoch, or null.</summary>
    public EpochRecord? Last => Epochs.Count == 0 ? null : Epochs[^1];

    /// <summary>A metric per epoch (a <see cref="Metric"/>, or its name such as "test_acc"); NaN where missing.</summary>
    public double[] Series(Metric metric) => Epochs.Select(metric.Of).ToArray();

    /// <summary>One metric of one epoch (NaN where missing).</summary>
    public static double Value(EpochRecord e, Metric metric) => metric.Of(e);

    /// <summary>A metric at a 1-based epoch, or null when the run did not get that far (or did not measure it).</summary>
    public double? At(int epoch, Metric metric) =>
        epoch >= 1 && epoch <= Epochs.Count && Value(Epochs[epoch - 1], metric) is var v && !double.IsNaN(v) ? v : null;

    /// <summary>The first epoch (1-based) whose metric reaches <paramref name="threshold"/>, or null if none does.</summary>
    public int? FirstEpochReaching(Metric metric, double threshold)
    {
        var s = Series(metric);
        for (int i = 0; i < s.Length; i++) if (s[i] >= threshold) return i + 1;
        return null;
    }

    /// <summary>The epoch (1-based) with the lowest value of the metric, or null when there is none.</summary>
    public int? ArgMin(Metric metric)
    {
        var s = Series(metric);
        int best = -1;
        for (int i = 0; i < s.Length; i++) if (!double.IsNaN(s[i]) && (best < 0 || s[i] < s[best])) best = i;
        return best < 0 ? null : best + 1;
    }

    /// <summary>The epoch (1-based) with the highest value of the metric, or null when there is none.</summary>
    public int? ArgMax(Metric metric)
    {
        var s = Series(metric);
        int best = -1;
        for (int i = 0; i < s.Length; i++) if (!double.IsNaN(s[i]) && (best < 0 || s[i] > s[best])) best = i;
        return best < 0 ? null : best + 1;
    }

    /// <summary>How many times the metric goes down from one epoch to the next within the first <paramref name="epochs"/> epochs.</summary>
    public int Drops(Metric metric, int epochs)
    {
        var s = Series(metric).Take(epochs).ToArray();
        int drops = 0;
        for (int i = 1; i < s.Length; i++) if (s[i] < s[i - 1]) drops++;
        return drops;
    }
}
