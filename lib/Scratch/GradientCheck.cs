using TorchSharp;
using Workbook.Data;
using Workbook.Reporting;
using static TorchSharp.torch;

namespace Workbook.Scratch;

/// <summary>How far one hand-written parameter gradient is from autograd's, in one configuration.</summary>
/// <param name="Hidden">Hidden activation.</param>
/// <param name="Output">Output activation.</param>
/// <param name="Loss">Loss.</param>
/// <param name="L2">L2 coefficient used.</param>
/// <param name="Parameter">W1, b1, W2, ...</param>
/// <param name="Shape">e.g. "784x32".</param>
/// <param name="RelativeError">||hand - autograd|| / max(||hand||, ||autograd||) (0 when both are zero).</param>
public sealed record GradientCheckRow(ScratchActivation Hidden, ScratchActivation Output, ScratchLoss Loss, double L2, string Parameter, string Shape, double RelativeError);

/// <summary>The rows of a gradient check; renders as a table with one row per configuration.</summary>
public sealed class GradientCheckResult(IReadOnlyList<GradientCheckRow> rows) : RichOutput
{
    /// <summary>Every (configuration, parameter) compared.</summary>
    public IReadOnlyList<GradientCheckRow> Rows { get; } = rows;
    /// <summary>The largest relative error of all (NaN if any is NaN).</summary>
    public double MaxRelativeError => Rows.Any(r => double.IsNaN(r.RelativeError)) ? double.NaN : Rows.Max(r => r.RelativeError);
    /// <summary>True when every relative error is below <see cref="GradientCheck.Tolerance"/>.</summary>
    public bool Passed => Rows.All(r => r.RelativeError < GradientCheck.Tolerance);

    /// <summary>One row per configuration, one column per parameter (its relative error), plus the worst.</summary>
    public Table ToTable()
    {
        var parameters = Rows.Select(r => r.Parameter).Distinct().ToArray();
        var table = new Table(["hidden", "output", "loss", "L2", .. parameters.Select(p => $"{p} [{Rows.First(r => r.Parameter == p).Shape}]"), "max"])
        {
            Title = "Hand-written gradients vs autograd (float64): relative error",
            Note = $"||hand - autograd|| / max(||hand||, ||autograd||) per parameter; the check passes below {GradientCheck.Tolerance:0e0}. " +
                   (Passed ? "All pass." : "SOME FAIL."),
        };
        foreach (var g in Rows.GroupBy(r => (r.Hidden, r.Output, r.Loss, r.L2)))
        {
            var errors = parameters.Select(p => (object?)g.FirstOrDefault(r => r.Parameter == p)?.RelativeError).ToArray();
            table.Add([g.Key.Hidden.ToString(), g.Key.Output.ToString(), g.Key.Loss.ToString(), g.Key.L2, .. errors, g.Max(r => r.RelativeError)]);
        }
        foreach (var c in table.Columns.Skip(4)) table.Formats[c] = "0.0e0";
        return table;
    }

    /// <inheritdoc />
    public override string ToHtml() => ToTable().ToHtml();
    /// <inheritdoc />
    public override string ToText() => ToTable().ToText();
}

/// <summary>
/// Checks <see cref="ScratchNet.Backward"/> against TorchSharp autograd (<see cref="AutogradReference"/>)
/// in float64, where the two should agree to rounding error (about 1e-15; a wrong formula gives
/// errors near 1).
/// </summary>
public static class GradientCheck
{
    /// <summary>The largest relative error accepted.</summary>
    public const double Tolerance = 1e-6;

    /// <summary>Hidden activations checked.</summary>
    public static readonly ScratchActivation[] HiddenActivations = [ScratchActivation.ReLU, ScratchActivation.Sigmoid, ScratchActivation.Linear];

    /// <summary>Output activation and loss pairs checked (every valid pair).</summary>
    public static readonly (ScratchActivation Output, ScratchLoss Loss)[] Heads =
    [
        (ScratchActivation.Sigmoid, ScratchLoss.Mse), (ScratchActivation.Sigmoid, ScratchLoss.Bce), (ScratchActivation.Sigmoid, ScratchLoss.BceNaive),
        (ScratchActivation.Softmax, ScratchLoss.CrossEntropy), (ScratchActivation.Softmax, ScratchLoss.Mse),
        (ScratchActivation.Linear, ScratchLoss.Mse),
    ];

    /// <summary>
    /// Every hidden activation with every output/loss pair, without and with L2, on one batch.
    /// With <paramref name="data"/> the batch is its first <paramref name="batch"/> images (784
    /// inputs); otherwise random inputs of width 20 and 4 classes. The hidden layers are small
    /// (default [16, 8]) so the whole check takes well under a second.
    /// </summary>
    public static GradientCheckResult RunAll(Dataset? data = null, int batch = 8, int[]? hiddenSizes = null, double l2 = 0.01, int seed = 0)
    {
        using var scope = NewDisposeScope();
        var (x, labels, classes) = data is null ? RandomBatch(batch, inputs: 20, classes: 4, seed) : FirstImages(data, batch);
        var rows = new List<GradientCheckRow>();
        foreach (var hidden in HiddenActivations)
            foreach (var (output, loss) in Heads)
                foreach (var lambda in new[] { 0.0, l2 })
                {
                    var config = new ScratchConfig
                    {
                        HiddenSizes = hiddenSizes ?? [16, 8], HiddenActivation = hidden, OutputActivation = output,
                        Loss = loss, L2 = lambda, Seed = seed, DType = ScalarType.Float64,
                    };
                    rows.AddRange(Run(config, x, labels, classes).Rows);
                }
        return new GradientCheckResult(rows);
    }

    /// <summary>
    /// Compares the gradients of one configuration (run in float64 whatever its DType) on the batch
    /// x [N, inputs] with labels [N]. Biases get small random values first, so that zero biases
    /// cannot hide a mistake.
    /// </summary>
    public static GradientCheckResult Run(ScratchConfig config, Tensor x, Tensor labels, int classes)
    {
        using var scope = NewDisposeScope();
        config = config with { DType = ScalarType.Float64 };
        x = x.reshape(x.shape[0], -1).to_type(ScalarType.Float64);
        using var net = ScratchNet.Create(config, (int)x.shape[1], classes);
        var rng = new Random(config.Seed + 1);
        foreach (var b in net.Biases) b.copy_(tensor(Enumerable.Range(0, (int)b.numel()).Select(_ => rng.NextDouble() * 0.2 - 0.1).ToArray(), ScalarType.Float64));
        var targets = ScratchTrainer.OneHot(labels, classes, ScalarType.Float64);

        var expected = AutogradReference.Gradients(net, x, labels, targets);
        List<Tensor> actual;
        using (no_grad())
        {
            var pass = net.Forward(x);
            var grads = net.Backward(pass, ScratchLosses.GradientOfLogits(config.Loss, config.OutputActivation, pass.Output, targets));
            actual = [];
            for (int k = 0; k < net.LayerCount; k++) { actual.Add(grads.Weights[k]); actual.Add(grads.Biases[k]); }
        }
        var rows = net.NamedParameters().Select((p, i) => new GradientCheckRow(
            config.HiddenActivation, config.OutputActivation, config.Loss, config.L2, p.Name,
            string.Join("x", p.Value.shape), RelativeError(actual[i], expected[i]))).ToList();
        return new GradientCheckResult(rows);
    }

    /// <summary>||a - b|| / max(||a||, ||b||), or 0 when both are zero.</summary>
    public static double RelativeError(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        double diff = (a - b).norm().ToDouble(), scale = Math.Max(a.norm().ToDouble(), b.norm().ToDouble());
        return scale == 0 ? diff : diff / scale;
    }

    static (Tensor X, Tensor Labels, int Classes) RandomBatch(int batch, int inputs, int classes, int seed)
    {
        var rng = new Random(seed);
        var x = tensor(Enumerable.Range(0, batch * inputs).Select(_ => rng.NextDouble()).ToArray(), [batch, inputs], ScalarType.Float64);
        // Every class present at least once when the batch allows, so no output column is trivial.
        var labels = tensor(Enumerable.Range(0, batch).Select(i => (long)(i < classes ? i : rng.Next(classes))).ToArray(), ScalarType.Int64);
        return (x, labels, classes);
    }

    static (Tensor X, Tensor Labels, int Classes) FirstImages(Dataset data, int batch)
    {
        int n = Math.Min(batch, data.Count);
        return (data.Images.narrow(0, 0, n).reshape(n, -1).to_type(ScalarType.Float64), data.Labels.narrow(0, 0, n), data.NumClasses);
    }
}
