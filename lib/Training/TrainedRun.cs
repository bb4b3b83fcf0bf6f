using System.Text.Json.Serialization;
using Workbook.Evaluation;
using Seq = TorchSharp.Modules.Sequential;

namespace Workbook.Training;

/// <summary>A finished run: its spec, per-epoch history, final evaluations and trained model.</summary>
public sealed class TrainedRun
{
    /// <summary>Display name.</summary>
    public string Name { get; init; } = "";
    /// <summary>What was trained, and how.</summary>
    public required TrainSpec Spec { get; init; }
    /// <summary>The run-cache key.</summary>
    public string Key { get; init; } = "";
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
    /// <summary>True when this run was loaded from the run cache rather than trained now.</summary>
    [JsonIgnore]
    public bool FromCache { get; set; }
    /// <summary>The trained model (in evaluation mode).</summary>
    [JsonIgnore]
    public Seq? Model { get; set; }

    /// <summary>Final test accuracy (NaN without a test set).</summary>
    [JsonIgnore]
    public double TestAccuracy => Test?.Accuracy ?? double.NaN;

    /// <summary>A one-line description.</summary>
    public override string ToString() =>
        $"{Name}: {(Diverged ? $"DIVERGED at epoch {DivergedAtEpoch}" : $"test accuracy {TestAccuracy:P2}")} after {EpochsRun} epochs ({TrainSeconds:F1} s{(FromCache ? ", from cache" : "")})";
}
