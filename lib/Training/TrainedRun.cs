using System.Text.Json.Serialization;
using Workbook.Evaluation;
using Seq = TorchSharp.Modules.Sequential;

namespace Workbook.Training;

/// <summary>A finished run: its spec, per-epoch history, final evaluations, provenance and trained model.</summary>
public sealed record TrainedRun
{
    /// <summary>Display name.</summary>
    public string Name { get; init; } = "";
    /// <summary>What was trained, and how.</summary>
    public required TrainSpec Spec { get; init; }
    /// <summary>The run-cache key.</summary>
    public string Key { get; init; } = "";
    /// <summary>The model's layer signature (part of the key).</summary>
    public string Architecture { get; init; } = "";
    /// <summary>Ids of the data sets used (train, validation, test).</summary>
    public string[] DataIds { get; init; } = [];
    /// <summary>Per-epoch record.</summary>
    public History History { get; init; } = new();
    /// <summary>Final evaluation on the test set (after restoring the best weights when asked).</summary>
    public EvalResult? Test { get; init; }
    /// <summary>Final evaluation on the validation set, when there is one.</summary>
    public EvalResult? Validation { get; init; }
    /// <summary>True when the loss became non-finite: training stopped there and the run is shown as diverged.</summary>
    public bool Diverged { get; init; }
    /// <summary>Epoch at which the loss became non-finite, when it did.</summary>
    public int? DivergedAtEpoch { get; init; }
    /// <summary>True when early stopping ended the run before its last epoch.</summary>
    public bool StoppedEarly { get; init; }
    /// <summary>Epochs actually trained.</summary>
    public int EpochsRun => History.Count;
    /// <summary>Seconds spent in training passes (evaluations excluded).</summary>
    public double TrainSeconds => History.Epochs.Sum(e => e.Seconds);
    /// <summary>Trainable parameters.</summary>
    public long Parameters { get; init; }
    /// <summary>The device it was trained on.</summary>
    public string Device { get; init; } = "";
    /// <summary>How, where and when it was trained.</summary>
    public RunProvenance? Provenance { get; init; }
    /// <summary>Where this copy of the run came from: trained now, this machine's cache, or the published results.</summary>
    [JsonIgnore]
    public RunSource Source { get; init; }
    /// <summary>True when this run was loaded rather than trained now.</summary>
    [JsonIgnore]
    public bool FromCache => Source != RunSource.Trained;
    /// <summary>The trained model (in evaluation mode); null for a published run loaded without its weights.</summary>
    [JsonIgnore]
    public Seq? Model { get; init; }

    /// <summary>Final test accuracy; NaN without a test set or when the run diverged (a diverged model has no accuracy worth showing).</summary>
    [JsonIgnore]
    public double TestAccuracy => Diverged ? double.NaN : Test?.Accuracy ?? double.NaN;

    /// <summary>A one-line description.</summary>
    public override string ToString() =>
        $"{Name}: {(Diverged ? $"DIVERGED at epoch {DivergedAtEpoch}" : $"test accuracy {TestAccuracy:P2}")} after {EpochsRun} epochs ({TrainSeconds:F1} s{Source switch { RunSource.LocalCache => ", from cache", RunSource.Published => ", from published results", _ => "" }})";
}
