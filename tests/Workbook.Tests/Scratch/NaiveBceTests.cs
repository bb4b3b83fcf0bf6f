using TorchSharp;
using Workbook.Scratch;
using Xunit;
using static TorchSharp.torch;

namespace Workbook.Tests.Scratch;

/// <summary>
/// <see cref="ScratchLoss.BceNaive"/> (sigmoid then log, as report 003 computed it) beside
/// <see cref="ScratchLoss.Bce"/> (from the logits, stable): the same function where both are finite,
/// but only the naive one breaks once the sigmoid saturates.
/// </summary>
public class NaiveBceTests
{
    static (Tensor Logits, Tensor Output, Tensor Targets) Batch(double[,] z, long[] labels, ScalarType dtype)
    {
        var logits = tensor(z, dtype);
        var output = logits.sigmoid();
        var targets = nn.functional.one_hot(tensor(labels, ScalarType.Int64), logits.shape[1]).to_type(dtype);
        return (logits, output, targets);
    }

    [Fact]
    public void Hand_written_gradient_matches_autograd_in_float64()
    {
        var (x, labels) = (rand(10, 20, ScalarType.Float64, generator: new Generator(7)), tensor(new long[] { 0, 1, 2, 3, 0, 1, 2, 3, 1, 2 }));
        foreach (var hidden in GradientCheck.HiddenActivations)
            foreach (var l2 in new[] { 0.0, 0.01 })
            {
                var config = new ScratchConfig { HiddenSizes = [16, 8], HiddenActivation = hidden, Loss = ScratchLoss.BceNaive, L2 = l2 };
                var result = GradientCheck.Run(config, x, labels, classes: 4);
                Assert.Equal(6, result.Rows.Count);
                Assert.True(result.Passed, result.ToText());
            }
    }

    [Fact]
    public void Equals_the_stable_form_where_nothing_saturates()
    {
        using var scope = NewDisposeScope();
        var (z, s, t) = Batch(new[,] { { 2.5, -1.0, 0.3 }, { -4.0, 6.0, -0.7 } }, [0, 1], ScalarType.Float64);
        double naive = ScratchLosses.Value(ScratchLoss.BceNaive, z, s, t).ToDouble(), stable = ScratchLosses.Value(ScratchLoss.Bce, z, s, t).ToDouble();
        // By hand, row 1: -log s(2.5) - log(1 - s(-1)) - log(1 - s(0.3)); row 2 likewise; halved.
        double Sig(double v) => 1 / (1 + Math.Exp(-v));
        double expected = (-Math.Log(Sig(2.5)) - Math.Log(1 - Sig(-1.0)) - Math.Log(1 - Sig(0.3))
                           - Math.Log(1 - Sig(-4.0)) - Math.Log(Sig(6.0)) - Math.Log(1 - Sig(-0.7))) / 2;
        Assert.Equal(expected, naive, 12);
        Assert.Equal(expected, stable, 12);
        var gNaive = ScratchLosses.GradientOfLogits(ScratchLoss.BceNaive, ScratchActivation.Sigmoid, s, t);
        var gStable = ScratchLosses.GradientOfLogits(ScratchLoss.Bce, ScratchActivation.Sigmoid, s, t);
        Assert.True(GradientCheck.RelativeError(gNaive, gStable) < 1e-12);
    }

    [Fact]
    public void Large_logits_make_the_naive_loss_and_gradient_non_finite_but_not_the_stable_ones()
    {
        using var scope = NewDisposeScope();
        // float32: sigmoid(20) rounds to exactly 1, so log(1 - s) = log(0) = -inf. Row 1 is confidently
        // right (class 0 at 20), row 2 confidently wrong (class 1 at -30 while the target is class 1).
        var (z, s, t) = Batch(new[,] { { 20.0, -3.0 }, { 20.0, -30.0 } }, [0, 1], ScalarType.Float32);
        Assert.Equal(1f, s[0, 0].ToSingle());
        double naive = ScratchLosses.Value(ScratchLoss.BceNaive, z, s, t).ToDouble(), stable = ScratchLosses.Value(ScratchLoss.Bce, z, s, t).ToDouble();
        Assert.False(double.IsFinite(naive), $"naive BCE gave {naive}");
        // Stable: row 2 costs about 20 + 30 (wrong by 20 and by 30), row 1 about 0.05; halved.
        Assert.InRange(stable, 24.9, 25.2);
        var gNaive = ScratchLosses.GradientOfLogits(ScratchLoss.BceNaive, ScratchActivation.Sigmoid, s.clone(), t);
        var gStable = ScratchLosses.GradientOfLogits(ScratchLoss.Bce, ScratchActivation.Sigmoid, s.clone(), t);
        Assert.True(gNaive.isnan().any().ToBoolean(), "a saturated output should give a NaN gradient (inf * 0)");
        Assert.True(gStable.isfinite().all().ToBoolean());
    }

    [Fact]
    public void Training_with_a_large_learning_rate_diverges_with_the_naive_loss_only()
    {
        // The same network, batches and rate; the only difference is how BCE is evaluated. A large rate
        // drives outputs into saturation within the first epoch.
        var data = ScratchData.Train.Subset(1000, seed: 2);
        var config = new ScratchConfig { HiddenSizes = [32], Loss = ScratchLoss.Bce, LearningRate = 20, Epochs = 2, LrDecay = 1 };
        var stable = ScratchTrainer.Train(config, data);
        var naive = ScratchTrainer.Train(config with { Loss = ScratchLoss.BceNaive }, data);
        Assert.False(stable.Diverged, $"stable BCE diverged, train loss {stable.TrainLoss}");
        Assert.True(double.IsFinite(stable.TrainLoss));
        Assert.True(naive.Diverged, $"naive BCE did not diverge: train loss {naive.TrainLoss}, accuracy {naive.TrainAccuracy}");
        stable.Network?.Dispose();
        naive.Network?.Dispose();
    }

    [Fact]
    public void The_naive_loss_needs_a_sigmoid_output()
    {
        var e = Assert.Throws<ArgumentException>(() => new ScratchConfig { Loss = ScratchLoss.BceNaive, OutputActivation = ScratchActivation.Softmax }.Validate());
        Assert.Contains("sigmoid", e.Message, StringComparison.OrdinalIgnoreCase);
    }
}
