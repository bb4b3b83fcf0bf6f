namespace Workbook.Training;

/// <summary>
/// A per-epoch quantity of a <see cref="History"/>, defined once with its name and title: use the named
/// ones (<c>Metric.TestAccuracy</c>). A name such as <c>"test_acc"</c> converts to its metric, and an
/// unknown name fails where it is converted instead of never matching.
/// </summary>
public sealed class Metric
{
    readonly Func<EpochRecord, double> read;

    Metric(string name, string title, Func<EpochRecord, double> read) { Name = name; Title = title; this.read = read; }

    /// <summary>The short name, as in "test_acc".</summary>
    public string Name { get; }

    /// <summary>The readable name, as in "test accuracy".</summary>
    public string Title { get; }

    /// <summary>Mean training loss over the epoch: "train_loss".</summary>
    public static readonly Metric TrainLoss = new("train_loss", "training loss", e => e.TrainLoss);
    /// <summary>Training accuracy over the epoch: "train_acc".</summary>
    public static readonly Metric TrainAccuracy = new("train_acc", "training accuracy", e => e.TrainAccuracy);
    /// <summary>Validation loss: "val_loss".</summary>
    public static readonly Metric ValidationLoss = new("val_loss", "validation loss", e => e.ValidationLoss ?? double.NaN);
    /// <summary>Validation accuracy: "val_acc".</summary>
    public static readonly Metric ValidationAccuracy = new("val_acc", "validation accuracy", e => e.ValidationAccuracy ?? double.NaN);
    /// <summary>Test loss: "test_loss".</summary>
    public static readonly Metric TestLoss = new("test_loss", "test loss", e => e.TestLoss ?? double.NaN);
    /// <summary>Test accuracy: "test_acc".</summary>
    public static readonly Metric TestAccuracy = new("test_acc", "test accuracy", e => e.TestAccuracy ?? double.NaN);
    /// <summary>Learning rate of the epoch: "lr".</summary>
    public static readonly Metric LearningRate = new("lr", "learning rate", e => e.LearningRate);
    /// <summary>Seconds of the epoch's training pass: "seconds".</summary>
    public static readonly Metric Seconds = new("seconds", "seconds", e => e.Seconds);

    /// <summary>Every metric, in the order above.</summary>
    public static IReadOnlyList<Metric> All { get; } =
        [TrainLoss, TrainAccuracy, ValidationLoss, ValidationAccuracy, TestLoss, TestAccuracy, LearningRate, Seconds];

    /// <summary>The metric's value in one epoch; NaN where the epoch did not measure it.</summary>
    public double Of(EpochRecord epoch) => read(epoch);

    /// <summary>The metric named <paramref name="name"/> (train_loss, train_acc, val_loss, val_acc, test_loss, test_acc, lr, seconds), or null.</summary>
    public static Metric? Find(string? name) => All.FirstOrDefault(m => m.Name == name);

    /// <summary>The metric named <paramref name="name"/>; an unknown name is an <see cref="ArgumentException"/>.</summary>
    public static Metric Parse(string name) => Find(name) ?? throw new ArgumentException(
        $"unknown metric '{name}': use {string.Join(", ", All.Take(All.Count - 1).Select(m => m.Name))} or {All[^1].Name}");

    /// <summary>A metric by its name, so that <c>history.At(5, "test_acc")</c> keeps working.</summary>
    public static implicit operator Metric(string name) => Parse(name);

    /// <summary>The short name.</summary>
    public override string ToString() => Name;
}
