using TorchSharp;
using static TorchSharp.torch;

namespace Workbook.Scratch;

/// <summary>What a forward pass keeps for the backward pass.</summary>
/// <param name="LayerInputs">The input of each linear layer: x, then each hidden layer's activation.</param>
/// <param name="Logits">The output layer's pre-activation z, [N, classes].</param>
/// <param name="Output">The network's output y = activation(z), [N, classes].</param>
public sealed record ForwardPass(IReadOnlyList<Tensor> LayerInputs, Tensor Logits, Tensor Output);

/// <summary>
/// The gradient of every parameter (L2 term included), in layer order. The tensors are the
/// network's own buffers, reused by every <see cref="ScratchNet.Backward"/>: clone them to keep them.
/// </summary>
public sealed record ScratchGradients(IReadOnlyList<Tensor> Weights, IReadOnlyList<Tensor> Biases);

/// <summary>
/// A fully connected network whose parameters are plain tensors (requires_grad false) and whose
/// gradients are computed by <see cref="Backward"/> by hand. Layer k computes
/// a_k = f(a_{k-1} W_k + b_k), with f the hidden activation and the output activation last.
/// </summary>
public sealed class ScratchNet : IDisposable
{
    readonly Tensor[] weights, biases, gradWeights, gradBiases;

    /// <summary>The configuration (activations, loss, L2, dtype) the network follows.</summary>
    public ScratchConfig Config { get; }
    /// <summary>Input width (784 for Fashion-MNIST).</summary>
    public int Inputs { get; }
    /// <summary>Number of outputs (classes).</summary>
    public int Classes { get; }
    /// <summary>Weight matrices W_k, [in, out] each.</summary>
    public IReadOnlyList<Tensor> Weights => weights;
    /// <summary>Bias vectors b_k, [out] each.</summary>
    public IReadOnlyList<Tensor> Biases => biases;
    /// <summary>Number of linear layers.</summary>
    public int LayerCount => weights.Length;
    /// <summary>Number of trainable numbers.</summary>
    public long ParameterCount => weights.Sum(w => w.numel()) + biases.Sum(b => b.numel());

    /// <summary>Wraps existing parameters (e.g. loaded from the run cache); the network takes ownership.</summary>
    public ScratchNet(ScratchConfig config, int inputs, int classes, IReadOnlyList<Tensor> weights, IReadOnlyList<Tensor> biases)
    {
        config.Validate();
        Config = config;
        Inputs = inputs;
        Classes = classes;
        var widths = Widths(config, inputs, classes);
        if (weights.Count != widths.Length - 1 || biases.Count != widths.Length - 1)
            throw new ArgumentException($"the configuration has {widths.Length - 1} layers but {weights.Count} weights and {biases.Count} biases were given");
        for (int k = 0; k < weights.Count; k++)
        {
            if (!weights[k].shape.SequenceEqual([widths[k], widths[k + 1]]) || !biases[k].shape.SequenceEqual([widths[k + 1]]))
                throw new ArgumentException($"layer {k + 1} should be [{widths[k]}, {widths[k + 1]}] + [{widths[k + 1]}]");
        }
        this.weights = weights.Select(w => w.to_type(config.DType).DetachFromDisposeScope()).ToArray();
        this.biases = biases.Select(b => b.to_type(config.DType).DetachFromDisposeScope()).ToArray();
        // Gradient buffers, allocated once: the backward pass writes into them every batch.
        gradWeights = this.weights.Select(w => zeros_like(w).DetachFromDisposeScope()).ToArray();
        gradBiases = this.biases.Select(b => zeros_like(b).DetachFromDisposeScope()).ToArray();
    }

    /// <summary>
    /// A freshly initialised network: weights drawn from a normal distribution whose variance the
    /// config's <see cref="InitScheme"/> sets, with a System.Random seeded by <see cref="ScratchConfig.Seed"/>
    /// (so float32 and float64 networks with the same seed start from the same numbers); biases zero.
    /// </summary>
    public static ScratchNet Create(ScratchConfig config, int inputs, int classes)
    {
        config.Validate();
        var widths = Widths(config, inputs, classes);
        var rng = new Random(config.Seed);
        var ws = new List<Tensor>();
        var bs = new List<Tensor>();
        for (int k = 0; k + 1 < widths.Length; k++)
        {
            int fanIn = widths[k], fanOut = widths[k + 1];
            bool beforeRelu = k + 2 < widths.Length ? config.HiddenActivation == ScratchActivation.ReLU : config.OutputActivation == ScratchActivation.ReLU;
            double std = config.Init switch
            {
                InitScheme.He => Math.Sqrt(2.0 / fanIn),
                InitScheme.Xavier => Math.Sqrt(2.0 / (fanIn + fanOut)),
                InitScheme.SmallNormal => 0.01,
                _ => beforeRelu ? Math.Sqrt(2.0 / fanIn) : Math.Sqrt(2.0 / (fanIn + fanOut)),
            };
            var values = new double[fanIn * fanOut];
            for (int i = 0; i < values.Length; i++) values[i] = std * StandardNormal(rng);
            ws.Add(tensor(values, [fanIn, fanOut], config.DType));
            bs.Add(zeros(fanOut, config.DType));
        }
        return new ScratchNet(config, inputs, classes, ws, bs);
    }

    /// <summary>Layer widths: inputs, hidden sizes, classes.</summary>
    public static int[] Widths(ScratchConfig config, int inputs, int classes) => [inputs, .. config.HiddenSizes, classes];

    /// <summary>Parameter names in order: W1, b1, W2, b2, ...</summary>
    public IEnumerable<(string Name, Tensor Value)> NamedParameters()
    {
        for (int k = 0; k < LayerCount; k++)
        {
            yield return ($"W{k + 1}", weights[k]);
            yield return ($"b{k + 1}", biases[k]);
        }
    }

    ScratchActivation ActivationOf(int layer) => layer == LayerCount - 1 ? Config.OutputActivation : Config.HiddenActivation;

    /// <summary>Forward pass over a batch x [N, inputs], keeping what the backward pass needs.</summary>
    public ForwardPass Forward(Tensor x)
    {
        var inputs = new Tensor[LayerCount];
        var a = x;
        for (int k = 0; k < LayerCount - 1; k++)
        {
            inputs[k] = a;
            a = ScratchLayers.ActivateInPlace(ActivationOf(k), ScratchLayers.Linear(a, weights[k], biases[k]));
        }
        inputs[^1] = a;
        var logits = ScratchLayers.Linear(a, weights[^1], biases[^1]);
        // The output activation gets its own tensor: BCE and cross-entropy need the logits too.
        var output = ScratchLayers.ActivateInPlace(Config.OutputActivation, logits.clone());
        return new ForwardPass(inputs, logits, output);
    }

    /// <summary>
    /// Backward pass: from dL/dz of the output logits to the gradient of every parameter, layer by
    /// layer from the last. The L2 gradient d/dW (lambda ||W||^2) = 2 lambda W is added to the
    /// weights' gradients only, never to the biases'.
    /// </summary>
    public ScratchGradients Backward(ForwardPass pass, Tensor gradLogits)
    {
        var dz = gradLogits;
        // An explicit Scalar, alive until the loop ends: TorchSharp's implicit double -> Scalar
        // temporaries can be finalized during the native call (Workbook.Training.Optimizer says more).
        using Scalar twiceL2 = (2 * Config.L2).ToScalar();
        for (int k = LayerCount - 1; k >= 0; k--)
        {
            var input = pass.LayerInputs[k];
            var dInput = ScratchLayers.LinearBackward(input, weights[k], dz, gradWeights[k], gradBiases[k], needInputGradient: k > 0);
            if (Config.L2 > 0) gradWeights[k].add_(weights[k], alpha: twiceL2);
            if (k > 0) dz = ScratchLayers.ActivationBackwardInPlace(ActivationOf(k - 1), input, dInput!);
        }
        return new ScratchGradients(gradWeights, gradBiases);
    }

    /// <summary>One plain SGD step in place: theta &lt;- theta - lr * gradient.</summary>
    public void Step(ScratchGradients gradients, double learningRate)
    {
        using Scalar minusLr = (-learningRate).ToScalar();
        for (int k = 0; k < LayerCount; k++)
        {
            weights[k].add_(gradients.Weights[k], alpha: minusLr);
            biases[k].add_(gradients.Biases[k], alpha: minusLr);
        }
    }

    /// <summary>True when every parameter is finite (no NaN or infinity).</summary>
    public bool IsFinite() => NamedParameters().All(p =>
    {
        using var finite = p.Value.isfinite().all();
        return finite.item<bool>();
    });

    /// <summary>A copy of the first layer's weights as float32, [inputs, width] row-major.</summary>
    public WeightSnapshot SnapshotFirstLayer(string label, int epoch)
    {
        using var f = weights[0].to_type(ScalarType.Float32);
        return new WeightSnapshot(label, epoch, (int)f.shape[0], (int)f.shape[1], f.data<float>().ToArray());
    }

    /// <summary>A standard normal draw (Box-Muller), so initialisation needs nothing but System.Random.</summary>
    static double StandardNormal(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(); // in (0, 1]: log(u1) is finite
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Frees the parameters and gradient buffers.</summary>
    public void Dispose()
    {
        foreach (var t in weights.Concat(biases).Concat(gradWeights).Concat(gradBiases)) t.Dispose();
    }
}
