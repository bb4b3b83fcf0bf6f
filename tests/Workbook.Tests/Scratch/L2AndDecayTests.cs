using TorchSharp;
using Workbook.Scratch;
using Xunit;
using static TorchSharp.torch;

namespace Workbook.Tests.Scratch;

public class L2AndDecayTests
{
    [Fact]
    public void L2_shrinks_weights_by_one_minus_2_lr_lambda_and_leaves_biases_alone()
    {
        const double lr = 0.1, lambda = 0.05;
        var config = new ScratchConfig
        {
            HiddenSizes = [6], HiddenActivation = ScratchActivation.Linear, OutputActivation = ScratchActivation.Linear,
            Loss = ScratchLoss.Mse, L2 = lambda, DType = ScalarType.Float64,
        };
        using var net = ScratchNet.Create(config, inputs: 5, classes: 3);
        foreach (var b in net.Biases) b.fill_(0.7); // non-zero, so "unchanged" means something
        var weightsBefore = net.Weights.Select(w => w.clone()).ToList();
        var biasesBefore = net.Biases.Select(b => b.clone()).ToList();
        using var x = rand(4, 5, ScalarType.Float64);

        using (no_grad())
        {
            var pass = net.Forward(x);
            // Targets equal to the outputs: the data gradient is exactly zero, only the L2 term remains.
            using var targets = pass.Output.clone();
            var gradients = net.Backward(pass, ScratchLosses.GradientOfLogits(config.Loss, config.OutputActivation, pass.Output, targets));
            for (int k = 0; k < net.LayerCount; k++)
            {
                Assert.Equal(0, gradients.Biases[k].abs().max().ToDouble());
                Assert.True(gradients.Weights[k].allclose(weightsBefore[k] * (2 * lambda), rtol: 1e-12, atol: 0));
            }
            net.Step(gradients, lr);
        }
        for (int k = 0; k < net.LayerCount; k++)
        {
            Assert.True(net.Biases[k].eq(biasesBefore[k]).all().item<bool>(), $"bias {k + 1} changed");
            Assert.True(net.Weights[k].allclose(weightsBefore[k] * (1 - 2 * lr * lambda), rtol: 1e-12, atol: 0), $"weight {k + 1} did not shrink by 1 - 2 lr lambda");
        }
    }

    [Theory]
    [InlineData(0.80, 0.79, 0.05)]   // drop: decay
    [InlineData(0.80, 0.80, 0.1)]    // equal: keep
    [InlineData(0.80, 0.81, 0.1)]    // rise: keep
    public void Learning_rate_decays_exactly_when_validation_accuracy_drops(double before, double now, double expected)
    {
        Assert.Equal(expected, ScratchTrainer.NextLearningRate(0.1, 0.5, before, now), 12);
    }

    [Fact]
    public void No_decay_without_a_previous_epoch_or_a_validation_set()
    {
        Assert.Equal(0.1, ScratchTrainer.NextLearningRate(0.1, 0.5, null, 0.5));
        Assert.Equal(0.1, ScratchTrainer.NextLearningRate(0.1, 0.5, 0.5, null));
    }

    [Fact]
    public void Training_applies_the_rule_after_every_epoch()
    {
        // Validation labels shuffled at random: its accuracy wanders around 10% and drops in some epochs.
        var train = ScratchData.Train.Subset(600, seed: 2);
        var noisy = ScratchData.Validation.Relabel([3, 7, 1, 9, 0, 5, 2, 8, 6, 4], ScratchData.Validation.ClassNames, "scrambled");
        var config = ScratchConfig.SoftmaxBaseline with { HiddenSizes = [32], LearningRate = 0.2, Epochs = 8, BatchSize = 32 };
        var history = ScratchTrainer.Train(config, train, noisy).History;
        var lr = history.Series("lr");
        var val = history.Series("val_acc");
        int drops = 0;
        for (int e = 1; e < history.Count; e++)
        {
            bool dropped = e >= 2 && val[e - 1] < val[e - 2];
            if (dropped) drops++;
            Assert.Equal(dropped ? lr[e - 1] * 0.5 : lr[e - 1], lr[e], 12);
        }
        Assert.True(drops > 0, "the scrambled validation set should drop at least once: " + string.Join(", ", val));
        Assert.True(drops < history.Count - 2, "and not in every epoch");
    }
}
