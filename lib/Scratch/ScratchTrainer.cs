using System.Diagnostics;
using TorchSharp;
using Workbook.Data;
using Workbook.Training;
using static TorchSharp.torch;

namespace Workbook.Scratch;

/// <summary>
/// Trains a <see cref="ScratchNet"/> the report's way: SGD on shuffled mini-batches, validation
/// after every epoch, and the learning rate multiplied by the decay factor whenever validation
/// accuracy is lower than in the previous epoch. No autograd anywhere: gradients come from
/// <see cref="ScratchNet.Backward"/>.
/// </summary>
public static partial class ScratchTrainer
{
    /// <summary>Examples per forward pass when evaluating (bounds memory, not results).</summary>
    const int EvaluationChunk = 2000;
    /// <summary>How often (in batches) a running loss is read to stop a diverging epoch early.</summary>
    const int DivergenceCheckEvery = 50;

    /// <summary>
    /// The report's decay rule: the learning rate for the next epoch is lr * decay when this epoch's
    /// validation accuracy is strictly below the previous epoch's, else unchanged (also when either is unknown).
    /// </summary>
    public static double NextLearningRate(double learningRate, double decay, double? previousValidationAccuracy, double? validationAccuracy) =>
        previousValidationAccuracy is { } before && validationAccuracy is { } now && now < before ? learningRate * decay : learningRate;

    /// <summary>
    /// Trains a new network on <paramref name="train"/>, evaluating <paramref name="validation"/> and
    /// <paramref name="test"/> (either may be null) after every epoch. Never throws because training
    /// diverged: a non-finite loss or weight marks the result <see cref="ScratchResult.Diverged"/> and
    /// ends the run. <paramref name="progress"/> gets a report at the start, after every epoch and at
    /// the end (as <see cref="Workbook.Training.Trainer"/>'s), and every report is also published to
    /// <see cref="TrainingEvents"/>. <paramref name="name"/> names the run in those reports.
    /// </summary>
    public static ScratchResult Train(ScratchConfig config, Dataset train, Dataset? validation = null, Dataset? test = null,
        Action<TrainingProgress>? progress = null, string? name = null)
    {
        config.Validate();
        using var noGrad = no_grad();
        int inputs = (int)(train.Images.numel() / train.Count), classes = train.NumClasses;
        string run = name ?? "scratch " + config.Describe(inputs, classes);
        void Report(TrainingProgress p) { progress?.Invoke(p); TrainingEvents.Publish(p); }
        var clock = Stopwatch.StartNew();
        var net = ScratchNet.Create(config, inputs, classes);
        var snapshots = new List<WeightSnapshot> { net.SnapshotFirstLayer("init", 0) };
        var history = new History();
        using var x = train.Images.reshape(train.Count, inputs).to_type(config.DType);
        using var targets = OneHot(train.Labels, classes, config.DType);
        double lr = config.LearningRate;
        double? previousValidation = null;
        int? divergedAt = null;
        Report(new TrainingProgress(run, 0, config.Epochs, null, RunState.Running, 0));

        for (int epoch = 1; epoch <= config.Epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            var (trainLoss, trainAccuracy) = TrainEpoch(net, x, targets, train.Labels, lr, ShuffleSeed(config.Seed, epoch));
            double seconds = epochClock.Elapsed.TotalSeconds;
            bool finite = double.IsFinite(trainLoss) && net.IsFinite();
            var val = validation is null ? null : Evaluate(net, validation);
            var tst = test is null ? null : Evaluate(net, test);
            var record = new EpochRecord
            {
                Epoch = epoch, TrainLoss = trainLoss, TrainAccuracy = trainAccuracy,
                ValidationLoss = val?.Loss, ValidationAccuracy = val?.Accuracy,
                TestLoss = tst?.Loss, TestAccuracy = tst?.Accuracy,
                LearningRate = lr, Seconds = seconds,
            };
            history.Epochs.Add(record);
            if (epoch == 1) snapshots.Add(net.SnapshotFirstLayer("epoch 1", 1));
            Report(new TrainingProgress(run, epoch, config.Epochs, record, finite ? RunState.Running : RunState.Diverged, clock.Elapsed.TotalSeconds));
            if (!finite) { divergedAt = epoch; break; }
            lr = NextLearningRate(lr, config.LrDecay, previousValidation, val?.Accuracy);
            previousValidation = val?.Accuracy;
        }

        snapshots.Add(net.SnapshotFirstLayer("final", history.Count));
        var onTrain = Evaluate(net, train);
        int[] predictions = test is null ? [] : new int[test.Count];
        var onTest = test is null ? null : Measure(net, test, predictions);
        var onValidation = validation is null ? null : Evaluate(net, validation);
        if (divergedAt is null)
            Report(new TrainingProgress(run, history.Count, config.Epochs, history.Last, RunState.Finished, clock.Elapsed.TotalSeconds));
        return new ScratchResult
        {
            Config = config, History = history, Network = net, Inputs = inputs, Classes = classes,
            TrainAccuracy = onTrain.Accuracy, TrainLoss = onTrain.Loss,
            ValidationAccuracy = onValidation?.Accuracy, TestAccuracy = onTest?.Accuracy, TestLoss = onTest?.Loss,
            Diverged = divergedAt is not null, DivergedAtEpoch = divergedAt,
            TestPredictions = predictions, Snapshots = snapshots, TrainSeconds = clock.Elapsed.TotalSeconds,
        };
    }

    /// <summary>
    /// The seed of an epoch's shuffle: a different, reproducible order every epoch; the multiplier
    /// keeps the runs of seeds s and s+1 from sharing shuffles one epoch apart.
    /// </summary>
    internal static int ShuffleSeed(int seed, int epoch) => Dataset.ShuffleSeed(seed, epoch);

    /// <summary>
    /// One pass of SGD over the data in a seeded random order. Returns the mean training loss and
    /// accuracy over the pass (measured on each batch before its update). Running totals stay in
    /// tensors so no batch waits for a read; the loss is read every few dozen batches to stop early
    /// once it is NaN or infinite.
    /// </summary>
    internal static (double Loss, double Accuracy) TrainEpoch(ScratchNet net, Tensor x, Tensor targets, Tensor labels, double lr, int shuffleSeed)
    {
        var config = net.Config;
        int n = (int)x.shape[0];
        using var order = tensor(Dataset.Permutation(n, shuffleSeed), ScalarType.Int64);
        using var lossSum = zeros(1, ScalarType.Float64);
        using var correct = zeros(1, ScalarType.Int64);
        int batch = 0;
        for (int start = 0; start < n; start += config.BatchSize)
        {
            using var scope = NewDisposeScope();
            int size = Math.Min(config.BatchSize, n - start);
            var index = order.narrow(0, start, size);
            var xb = x.index_select(0, index);
            var tb = targets.index_select(0, index);

            var pass = net.Forward(xb);
            lossSum.add_(ScratchLosses.Value(config.Loss, pass.Logits, pass.Output, tb), alpha: size);
            correct.add_(pass.Output.argmax(1).eq(labels.index_select(0, index)).sum());
            var gradLogits = ScratchLosses.GradientOfLogits(config.Loss, config.OutputActivation, pass.Output, tb);
            net.Step(net.Backward(pass, gradLogits), lr);

            if (++batch % DivergenceCheckEvery == 0 && !double.IsFinite(lossSum.ToDouble()))
                return (double.NaN, correct.ToInt64() / (double)(start + size));
        }
        return (lossSum.ToDouble() / n, correct.ToInt64() / (double)n);
    }

    /// <summary>Mean loss and accuracy of <paramref name="net"/> on a whole dataset (no training).</summary>
    public static ScratchEvaluation Evaluate(ScratchNet net, Dataset data) => Measure(net, data, null);

    /// <summary>The predicted class (index of the largest output) of every example, in order.</summary>
    public static int[] Predict(ScratchNet net, Dataset data)
    {
        var predictions = new int[data.Count];
        Measure(net, data, predictions);
        return predictions;
    }

    /// <summary>Loss and accuracy over the data in chunks; fills <paramref name="predictions"/> when given.</summary>
    static ScratchEvaluation Measure(ScratchNet net, Dataset data, int[]? predictions)
    {
        using var noGrad = no_grad();
        int n = data.Count;
        double lossSum = 0;
        long correct = 0;
        for (int start = 0; start < n; start += EvaluationChunk)
        {
            using var scope = NewDisposeScope();
            int size = Math.Min(EvaluationChunk, n - start);
            var xb = data.Images.narrow(0, start, size).reshape(size, net.Inputs).to_type(net.Config.DType);
            var yb = data.Labels.narrow(0, start, size);
            var pass = net.Forward(xb);
            lossSum += ScratchLosses.Value(net.Config.Loss, pass.Logits, pass.Output, OneHot(yb, net.Classes, net.Config.DType)).ToDouble() * size;
            var predicted = pass.Output.argmax(1);
            correct += predicted.eq(yb).sum().ToInt64();
            if (predictions != null)
            {
                var values = predicted.data<long>().ToArray();
                for (int i = 0; i < size; i++) predictions[start + i] = (int)values[i];
            }
        }
        return new ScratchEvaluation(n == 0 ? double.NaN : lossSum / n, n == 0 ? double.NaN : correct / (double)n);
    }

    /// <summary>One-hot rows [N, classes] of the given dtype.</summary>
    internal static Tensor OneHot(Tensor labels, int classes, ScalarType dtype)
    {
        using var hot = nn.functional.one_hot(labels, classes);
        return hot.to_type(dtype);
    }
}
