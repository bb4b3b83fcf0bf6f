using Workbook.Data;
using Workbook.Models;
using Workbook.Reporting;
using Workbook.Runtime;
using Workbook.Training;

namespace Workbook.Cli.Commands;

/// <summary><c>workbook train MODEL [options]</c>: train one named model with a live progress bar.</summary>
public static class TrainCommand
{
    /// <summary>Usage text.</summary>
    public const string Usage =
        "workbook train MODEL [--epochs 10] [--batch 64] [--optimizer adam|sgd] [--lr 0.001] [--momentum 0]\n" +
        "                     [--loss crossentropy|nll|mse|bce|softmaxthencrossentropy] [--l1 0] [--l2 0] [--seed 0]\n" +
        "                     [--classes 10|5] [--validation 0.2] [--subset N] [--patience N] [--decay 0.5] [--fresh]\n" +
        "    trains a model of `workbook models` on Fashion-MNIST (five classes: report 002's relabeling);\n" +
        "    a run already in runs/ is loaded instead of trained unless --fresh";

    /// <summary>Runs the command.</summary>
    public static int Run(string[] argv)
    {
        var args = new Args(argv, "fresh");
        if (args.Positional.Count != 1) throw new UsageException("train needs exactly one model name");
        ModelInfo info;
        try { info = ModelZoo.Get(args.Positional[0]); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        var spec = new TrainSpec
        {
            Name = info.Name,
            Model = info.Name,
            Epochs = args.Int("epochs") ?? 10,
            BatchSize = args.Int("batch") ?? 64,
            Optimizer = args.Enum<OptimizerKind>("optimizer") ?? OptimizerKind.Adam,
            LearningRate = args.Double("lr") ?? 1e-3,
            Momentum = args.Double("momentum") ?? 0,
            Loss = args.Enum<LossKind>("loss") ?? LossKind.CrossEntropy,
            L1 = args.Double("l1") ?? 0,
            L2 = args.Double("l2") ?? 0,
            Seed = args.Int("seed") ?? 0,
            EarlyStoppingPatience = args.Int("patience"),
            DecayOnValidationDrop = args.Double("decay"),
        };
        int classes = args.Int("classes") ?? (info.Report == "002" ? 5 : 10);
        if (classes is not (5 or 10)) throw new UsageException("--classes is 10 (Fashion-MNIST) or 5 (report 002's relabeling)");
        double validationFraction = args.Double("validation") ?? 0.2;
        int? subset = args.Int("subset");
        bool fresh = args.Flag("fresh");
        args.RejectUnknown();
        // Every number is checked here, before the data loads, so a typo costs no waiting.
        Args.Require("epochs", spec.Epochs, e => e >= 1, "a whole number of at least 1, e.g. --epochs 10");
        Args.Require("batch", spec.BatchSize, b => b >= 1, "a whole number of at least 1, e.g. --batch 64");
        Args.Require("lr", spec.LearningRate, lr => lr > 0, "a number greater than 0, e.g. --lr 0.001");
        Args.Require("momentum", spec.Momentum, m => m >= 0, "a number of at least 0, e.g. --momentum 0.9");
        Args.Require("l1", spec.L1, l => l >= 0, "a number of at least 0 (0 turns it off)");
        Args.Require("l2", spec.L2, l => l >= 0, "a number of at least 0 (0 turns it off)");
        Args.Require("patience", spec.EarlyStoppingPatience, p => p >= 1, "a whole number of epochs of at least 1 (leave it out for no early stopping)");
        Args.Require("decay", spec.DecayOnValidationDrop, d => d > 0 && d < 1, "a factor between 0 and 1 (exclusive), e.g. --decay 0.5");
        Args.Require("validation", validationFraction, v => v >= 0 && v < 1, "a fraction from 0 (no validation set) up to but not including 1, e.g. --validation 0.2");
        Args.Require("subset", subset, n => n >= 1, "a whole number of training images of at least 1 (leave it out for all of them)");

        var data = FashionMnist.Load();
        Dataset train = data.Train.Subset(subset), test = data.Test;
        if (classes == 5) { train = FashionMnist.ToFiveClasses(train); test = FashionMnist.ToFiveClasses(test); }
        Dataset? validation = null;
        if (validationFraction > 0) (train, validation) = train.Split(validationFraction, seed: spec.Seed);
        if (train.Count == 0)
            throw new UsageException($"--validation {validationFraction} of {train.Count + (validation?.Count ?? 0)} images leaves none to train on: use a smaller --validation or a larger --subset");

        Console.WriteLine($"Training {info.Name} ({info.Description}) on {train.Count:N0} images, validating on {validation?.Count ?? 0:N0}, testing on {test.Count:N0}; device {Compute.Description}");
        // --fresh trains in a throw-away cache (and compares with the published record, if there is one); the
        // cache is removed afterwards, or by the next --fresh when this process is killed first.
        var store = fresh ? new RunStore(Leftovers.NewTempFolder("workbook-fresh").FullName) : RunStore.Default;
        var cache = fresh ? new RunCache(store, PublishedResults.Default) { Mode = CacheMode.Retrain } : RunCache.Default;
        var progress = new Runner.ConsoleReporter(Console.Out, interactive: !Console.IsOutputRedirected);
        TrainedRun run;
        try { run = Trainer.Train(spec, train, validation, test, progress.TrainingProgress, cache); }
        finally { if (fresh) Directory.Delete(store.Root, recursive: true); }

        var table = new Table("epoch", "train loss", "train acc", "val loss", "val acc", "test loss", "test acc", "lr", "seconds") { Title = $"History of {run.Name}{run.Source switch { RunSource.LocalCache => " (loaded from runs/)", RunSource.Published => " (loaded from results/)", _ => "" }}" };
        foreach (var c in new[] { "train acc", "val acc", "test acc" }) table.Formats[c] = "P2";
        foreach (var e in run.History.Epochs)
            table.Add(e.Epoch, e.TrainLoss, e.TrainAccuracy, e.ValidationLoss ?? double.NaN, e.ValidationAccuracy ?? double.NaN, e.TestLoss ?? double.NaN, e.TestAccuracy ?? double.NaN, e.LearningRate, e.Seconds);
        Console.WriteLine(table.ToText());
        Console.WriteLine(run.ToString());
        if (run.Test is { } t) Console.WriteLine($"Test: accuracy {t.Accuracy:P2}, loss {t.Loss:0.####}, worst class {t.ClassNames[t.WorstClass]} ({t.PerClassAccuracy[t.WorstClass]:P1}), forward pass over the test set {t.Seconds:F2} s");
        return run.Diverged ? 3 : 0;
    }
}
