using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using Workbook.Data;
using static TorchSharp.torch;

namespace Workbook.Scratch;

/// <summary>
/// The same network written the usual way: TorchSharp's own activations and loss functions,
/// gradients from autograd, updates from torch.optim.SGD. It shares no code with the hand-written
/// passes, which is the point: <see cref="GradientCheck"/> compares against it, and
/// <see cref="TimeEpoch"/> gives the speed of the conventional route.
/// </summary>
public static class AutogradReference
{
    /// <summary>
    /// The objective the hand-written backward pass differentiates: the configured loss of the batch
    /// plus lambda * sum of ||W||^2 over the weight matrices (biases unpenalised).
    /// </summary>
    public static Tensor Objective(ScratchConfig config, IReadOnlyList<Tensor> weights, IReadOnlyList<Tensor> biases, Tensor x, Tensor labels, Tensor targets)
    {
        var a = x;
        for (int k = 0; k < weights.Count - 1; k++) a = Activate(config.HiddenActivation, a.matmul(weights[k]) + biases[k]);
        var z = a.matmul(weights[^1]) + biases[^1];
        long n = x.shape[0];
        var loss = config.Loss switch
        {
            ScratchLoss.Mse => nn.functional.mse_loss(Activate(config.OutputActivation, z), targets, nn.Reduction.Sum) / (2.0 * n),
            ScratchLoss.Bce => nn.functional.binary_cross_entropy_with_logits(z, targets, reduction: nn.Reduction.Sum) / n,
            ScratchLoss.CrossEntropy => nn.functional.cross_entropy(z, labels),
            // Written out rather than nn.functional.binary_cross_entropy, which clamps the log at -100.
            ScratchLoss.BceNaive => -(targets * sigmoid(z).log() + (1 - targets) * (1 - sigmoid(z)).log()).sum() / n,
            _ => throw new ArgumentOutOfRangeException(nameof(config)),
        };
        foreach (var w in weights.Where(_ => config.L2 > 0)) loss = loss + config.L2 * w.pow(2).sum();
        return loss;
    }

    static Tensor Activate(ScratchActivation activation, Tensor z) => activation switch
    {
        ScratchActivation.ReLU => nn.functional.relu(z),
        ScratchActivation.Sigmoid => sigmoid(z),
        ScratchActivation.Linear => z,
        ScratchActivation.Softmax => nn.functional.softmax(z, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    /// <summary>
    /// Autograd's gradient of <see cref="Objective"/> for each parameter of <paramref name="net"/>
    /// (copies of its values), in the order of <see cref="ScratchNet.NamedParameters"/>.
    /// </summary>
    public static List<Tensor> Gradients(ScratchNet net, Tensor x, Tensor labels, Tensor targets)
    {
        using var grad = enable_grad();
        var ws = net.Weights.Select(w => w.detach().clone().requires_grad_(true)).ToList();
        var bs = net.Biases.Select(b => b.detach().clone().requires_grad_(true)).ToList();
        using var objective = Objective(net.Config, ws, bs, x, labels, targets);
        objective.backward();
        var result = new List<Tensor>();
        for (int k = 0; k < ws.Count; k++)
        {
            result.Add(ws[k].grad!.detach().clone());
            result.Add(bs[k].grad!.detach().clone());
        }
        foreach (var p in ws.Concat(bs)) p.Dispose();
        return result;
    }

    /// <summary>
    /// Trains <paramref name="start"/>'s parameters (copied; the network is untouched) for one epoch
    /// with autograd and torch.optim.SGD, visiting the batches in the same order as
    /// <see cref="ScratchTrainer.Train"/>'s first epoch. Returns the wall-clock seconds and the
    /// trained parameters (weights then biases by layer, as W1, b1, W2, ...) for comparison.
    /// </summary>
    public static (double Seconds, List<Tensor> Parameters) TimeEpoch(ScratchNet start, Dataset train, double? learningRate = null)
    {
        var config = start.Config;
        using var grad = enable_grad();
        var ws = start.Weights.Select(w => new Parameter(w.detach().clone(), requires_grad: true)).ToList();
        var bs = start.Biases.Select(b => new Parameter(b.detach().clone(), requires_grad: true)).ToList();
        var all = new List<Parameter>();
        for (int k = 0; k < ws.Count; k++) { all.Add(ws[k]); all.Add(bs[k]); }
        var optimizer = optim.SGD(all, learningRate ?? config.LearningRate);
        int n = train.Count;
        using var x = train.Images.reshape(n, start.Inputs).to_type(config.DType);
        using var targets = ScratchTrainer.OneHot(train.Labels, start.Classes, config.DType);
        using var order = tensor(Dataset.Permutation(n, ScratchTrainer.ShuffleSeed(config.Seed, 1)), ScalarType.Int64);

        var clock = Stopwatch.StartNew();
        for (int begin = 0; begin < n; begin += config.BatchSize)
        {
            using var scope = NewDisposeScope();
            var index = order.narrow(0, begin, Math.Min(config.BatchSize, n - begin));
            optimizer.zero_grad();
            var loss = Objective(config, ws, bs, x.index_select(0, index), train.Labels.index_select(0, index), targets.index_select(0, index));
            loss.backward();
            optimizer.step();
        }
        double seconds = clock.Elapsed.TotalSeconds;
        optimizer.Dispose();
        return (seconds, all.Select(p => (Tensor)p).ToList());
    }
}
