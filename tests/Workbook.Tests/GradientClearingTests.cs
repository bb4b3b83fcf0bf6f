using Workbook.Data;
using Workbook.Models;
using Workbook.Training;
using Xunit;
using static TorchSharp.torch;

namespace Workbook.Tests;

/// <summary>
/// The trainer drops gradients (set to none) instead of zeroing them in place, and updates with its own
/// SGD and Adam (scalars kept alive through each native call); the weights it produces must be exactly
/// those of the textbook loop with TorchSharp's optimizers and optimizer.zero_grad().
/// </summary>
[Collection(TrainingCollection.Name)]
public class GradientClearingTests
{
    /// <summary>The trainer's loop as it was, with optimizer.zero_grad(), for comparison.</summary>
    static Dictionary<string, Tensor> ZeroGradLoop(TrainSpec spec, Dataset train)
    {
        manual_seed(spec.Seed);
        var model = ModelZoo.Build(spec.Model, train.NumClasses);
        using var kernels = Workbook.Runtime.ConvolutionGuard.For(model); // the trainer's convolution kernels too
        var parameters = model.parameters().ToList();
        optim.Optimizer optimizer = spec.Optimizer == OptimizerKind.Sgd
            ? optim.SGD(parameters, spec.LearningRate, momentum: spec.Momentum)
            : optim.Adam(parameters, spec.LearningRate);
        for (int epoch = 1; epoch <= spec.Epochs; epoch++)
        {
            model.train();
            using var order = tensor(Dataset.Permutation(train.Count, spec.Seed * 100_003 + epoch));
            for (int start = 0; start < train.Count; start += spec.BatchSize)
            {
                using var scope = NewDisposeScope();
                var idx = order.narrow(0, start, Math.Min(spec.BatchSize, train.Count - start));
                var x = train.Images.index_select(0, idx);
                var y = train.Labels.index_select(0, idx);
                optimizer.zero_grad();
                var logits = model.call(x);
                var loss = Losses.Compute(spec.Loss, logits, y);
                var penalty = Losses.Penalty(parameters, spec.L1, spec.L2);
                (penalty is null ? loss : loss + penalty).backward();
                optimizer.step();
            }
        }
        return model.state_dict();
    }

    [Theory]
    [InlineData("net4", OptimizerKind.Adam, 0.0, 0.0)]  // dropout: the random stream must line up too
    [InlineData("cnn-8", OptimizerKind.Sgd, 1e-4, 0.9)] // momentum and an L2 penalty
    [InlineData("net2", OptimizerKind.Sgd, 0.0, 0.0)]   // plain SGD
    [InlineData("net5", OptimizerKind.Adam, 1e-3, 0.0)] // batch norm and an L2 penalty under Adam
    public void Trainer_weights_equal_those_of_the_zero_grad_loop_bit_for_bit(string model, OptimizerKind optimizer, double l2, double momentum)
    {
        var train = TestData.Real.Train.Subset(1500, seed: 4);
        var spec = new TrainSpec
        {
            Model = model, Optimizer = optimizer, LearningRate = optimizer == OptimizerKind.Sgd ? 0.05 : 1e-3, Momentum = momentum,
            L2 = l2, Epochs = 2, Seed = 3, TestEveryEpoch = false,
        };
        var run = Trainer.Train(spec, train, cache: new RunCache(TestData.TempStore()));
        var expected = ZeroGradLoop(spec, train);
        var actual = run.Model!.state_dict();
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (name, tensor) in expected)
            Assert.True(tensor.eq(actual[name]).all().item<bool>(), $"{model}: parameter {name} differs");
    }
}
