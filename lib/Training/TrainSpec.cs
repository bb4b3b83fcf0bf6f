using System.Text.Json.Serialization;
using Workbook.Models;

namespace Workbook.Training;

/// <summary>Optimizers the reports use.</summary>
public enum OptimizerKind
{
    /// <summary>Stochastic gradient descent on mini-batches, optional momentum.</summary>
    Sgd,
    /// <summary>Adam (beta1 0.9, beta2 0.999, eps 1e-8).</summary>
    Adam,
}

/// <summary>
/// Everything that determines a training run except the data (which a <see cref="Workbook.Data.Dataset"/>
/// identifies itself). Two equal specs on the same data give the same run, so the run cache keys on them.
/// </summary>
public sealed record TrainSpec
{
    /// <summary>A display name for tables and charts (not part of the cache key).</summary>
    public string Name { get; init; } = "";
    /// <summary>The architecture, a <see cref="Workbook.Models.ModelZoo"/> name.</summary>
    public required string Model { get; init; }
    /// <summary>Optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    /// <summary>Initial learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>SGD momentum (0 = plain SGD).</summary>
    public double Momentum { get; init; }
    /// <summary>Loss function.</summary>
    public LossKind Loss { get; init; } = LossKind.CrossEntropy;
    /// <summary>L1 penalty strength on weights (not biases).</summary>
    public double L1 { get; init; }
    /// <summary>L2 penalty strength on weights (not biases), added to the loss as l2 * sum(w^2).</summary>
    public double L2 { get; init; }
    /// <summary>Maximum number of epochs.</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>Mini-batch size.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>Seed for initialisation, data order and dropout.</summary>
    public int Seed { get; init; }
    /// <summary>Stop when validation loss has not improved for this many epochs (Keras EarlyStopping). Null: never.</summary>
    public int? EarlyStoppingPatience { get; init; }
    /// <summary>With early stopping: go back to the weights of the best validation loss (Keras' restore_best_weights; off by default, as in Keras).</summary>
    public bool RestoreBestWeights { get; init; }
    /// <summary>Multiply the learning rate by this factor whenever validation accuracy drops (report 003). Null: never.</summary>
    public double? DecayOnValidationDrop { get; init; }
    /// <summary>Evaluate the test set after every epoch (for curves); the final test evaluation always happens.</summary>
    public bool TestEveryEpoch { get; init; } = true;

    /// <summary>The spec without its display name: what the cache key is made of.</summary>
    [JsonIgnore]
    public TrainSpec KeyPart => this with { Name = "" };
}
