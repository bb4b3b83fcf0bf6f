using Workbook.Training;

namespace Workbook.Scratch;

/// <summary>A copy of the first layer's weight matrix at one moment of training.</summary>
/// <param name="Label">"init", "epoch 1" or "final".</param>
/// <param name="Epoch">Epochs completed when it was taken (0 = initialisation).</param>
/// <param name="Inputs">Rows: input pixels (784).</param>
/// <param name="Outputs">Columns: first hidden layer width.</param>
/// <param name="Values">float32, [Inputs, Outputs] row-major.</param>
public sealed record WeightSnapshot(string Label, int Epoch, int Inputs, int Outputs, float[] Values);

/// <summary>Loss and accuracy of a network on one dataset.</summary>
/// <param name="Loss">Mean loss (the configured one, L2 penalty excluded).</param>
/// <param name="Accuracy">Fraction of examples whose largest output is the true class, 0..1.</param>
public sealed record ScratchEvaluation(double Loss, double Accuracy);

/// <summary>
/// The outcome of a from-scratch run. A diverged run is still a result: its accuracies are what the
/// network predicts after the loss or a weight became non-finite (about 10% on ten balanced classes).
/// </summary>
public sealed record ScratchResult
{
    /// <summary>The configuration trained.</summary>
    public required ScratchConfig Config { get; init; }
    /// <summary>One record per epoch run (fewer than configured when the run diverged).</summary>
    public required History History { get; init; }
    /// <summary>The trained network (parameters as tensors), for <see cref="ScratchTrainer.Predict"/> and more evaluation;
    /// null for a published run loaded without its weights (ask for the model to get it).</summary>
    public ScratchNet? Network { get; init; }
    /// <summary>Inputs per example (784).</summary>
    public int Inputs { get; init; }
    /// <summary>Classes.</summary>
    public int Classes { get; init; }
    /// <summary>Accuracy on the whole training set, evaluated after training.</summary>
    public double TrainAccuracy { get; init; }
    /// <summary>Loss on the whole training set, evaluated after training.</summary>
    public double TrainLoss { get; init; }
    /// <summary>Final validation accuracy, when there was a validation set.</summary>
    public double? ValidationAccuracy { get; init; }
    /// <summary>Final test accuracy, when there was a test set.</summary>
    public double? TestAccuracy { get; init; }
    /// <summary>Final test loss, when there was a test set.</summary>
    public double? TestLoss { get; init; }
    /// <summary>True when the loss or a weight became NaN or infinite; training stopped there.</summary>
    public bool Diverged { get; init; }
    /// <summary>The epoch during which the run diverged, if it did.</summary>
    public int? DivergedAtEpoch { get; init; }
    /// <summary>The predicted class of every test image, in the test set's order (empty without a test set).</summary>
    public int[] TestPredictions { get; init; } = [];
    /// <summary>First-layer weights at initialisation, after epoch 1 and at the end (fewer when training stopped early).</summary>
    public IReadOnlyList<WeightSnapshot> Snapshots { get; init; } = [];
    /// <summary>Wall-clock seconds of the training run as it was measured when trained (cached runs keep the original).</summary>
    public double TrainSeconds { get; init; }
    /// <summary>Where this copy of the run came from.</summary>
    public RunSource Source { get; init; }
    /// <summary>True when this result was loaded from the run cache or the published results instead of trained.</summary>
    public bool FromCache => Source != RunSource.Trained;
    /// <summary>How, where and when it was trained (set once it went through the run cache).</summary>
    public RunProvenance? Provenance { get; init; }
    /// <summary>The run-cache key, when the run went through <see cref="ScratchTrainer.TrainCached"/>.</summary>
    public string? CacheKey { get; init; }

    /// <summary>The snapshot with this label ("init", "epoch 1", "final"), or null.</summary>
    public WeightSnapshot? Snapshot(string label) => Snapshots.FirstOrDefault(s => s.Label == label);

    /// <inheritdoc />
    public override string ToString() =>
        $"{Config.Describe(Inputs, Classes)}: {History.Count} epochs, train {TrainAccuracy:P2}" +
        (ValidationAccuracy is { } v ? $", validation {v:P2}" : "") + (TestAccuracy is { } t ? $", test {t:P2}" : "") +
        (Diverged ? $", diverged in epoch {DivergedAtEpoch}" : "") + (FromCache ? " (cached)" : "");
}
