using static TorchSharp.torch;

namespace Workbook.Scratch;

/// <summary>An activation the hand-written network knows the derivative of.</summary>
public enum ScratchActivation
{
    /// <summary>max(0, z).</summary>
    ReLU,
    /// <summary>1 / (1 + e^-z): the report's output activation, also tried on the hidden layers.</summary>
    Sigmoid,
    /// <summary>The identity ("linear" in the report).</summary>
    Linear,
    /// <summary>Row-wise exp(z) / sum exp(z). Output layer only.</summary>
    Softmax,
}

/// <summary>The training loss. All are averaged over the batch (divided by the batch size N).</summary>
public enum ScratchLoss
{
    /// <summary>The report's MSE: (1/2N) * sum over samples and classes of (y - y')^2, against one-hot targets.</summary>
    Mse,
    /// <summary>
    /// Binary cross-entropy against one-hot targets, summed over classes, averaged over samples, computed
    /// from the logits (stable: finite for every finite logit). The corrected form. Needs a sigmoid output.
    /// </summary>
    Bce,
    /// <summary>Softmax cross-entropy, -(1/N) * sum log p(true class): the modern baseline. Needs a softmax output.</summary>
    CrossEntropy,
    /// <summary>
    /// The same binary cross-entropy computed as report 003 did: the sigmoid first, then the log of its
    /// output, and the gradient through dL/dy and the sigmoid's derivative. Once a sigmoid output rounds to
    /// exactly 0 or 1 (|z| past ~17 in float32, ~37 in float64) the loss is infinite or NaN and so is the
    /// gradient: the instability report 003's claim C003-2 is about. Needs a sigmoid output.
    /// </summary>
    BceNaive,
}

/// <summary>How the weights are drawn (biases always start at zero).</summary>
public enum InitScheme
{
    /// <summary>He for a layer followed by ReLU, Xavier for every other layer. The default.</summary>
    Auto,
    /// <summary>He (Kaiming) normal: N(0, 2 / fan_in).</summary>
    He,
    /// <summary>Xavier (Glorot) normal: N(0, 2 / (fan_in + fan_out)).</summary>
    Xavier,
    /// <summary>N(0, 0.01^2), the classic course-assignment choice.</summary>
    SmallNormal,
}

/// <summary>
/// Everything that determines a from-scratch run (it is the run-cache key, together with the data ids).
/// The defaults are the report's 784-256-128-10 net: ReLU hidden layers, sigmoid output, MSE,
/// learning rate 3e-3, halved whenever validation accuracy drops, 10 epochs.
/// The report does not state its batch size or initialisation: this uses batch 64 and
/// <see cref="InitScheme.Auto"/> (He before ReLU, Xavier elsewhere), both options.
/// </summary>
public sealed record ScratchConfig
{
    /// <summary>Widths of the hidden layers; [256, 128] is the report's three-layer net, [H] its two-layer net.</summary>
    public int[] HiddenSizes { get; init; } = [256, 128];
    /// <summary>Activation after every hidden layer.</summary>
    public ScratchActivation HiddenActivation { get; init; } = ScratchActivation.ReLU;
    /// <summary>Activation of the output layer: sigmoid (report), softmax (baseline) or linear.</summary>
    public ScratchActivation OutputActivation { get; init; } = ScratchActivation.Sigmoid;
    /// <summary>The loss. BCE needs a sigmoid output, cross-entropy a softmax output; MSE takes any.</summary>
    public ScratchLoss Loss { get; init; } = ScratchLoss.Mse;
    /// <summary>
    /// Initial learning rate. Every loss is a mean over the batch, so a rate meant for a loss summed
    /// over the batch gives the same step when multiplied by the batch size.
    /// </summary>
    public double LearningRate { get; init; } = 3e-3;
    /// <summary>Factor beta applied to the learning rate after an epoch whose validation accuracy is below the previous epoch's (the report halves it). 1 turns decay off.</summary>
    public double LrDecay { get; init; } = 0.5;
    /// <summary>L2 coefficient lambda: the gradient of lambda * ||W||^2, i.e. 2 * lambda * W, is added to every weight matrix's gradient; biases are not penalised.</summary>
    public double L2 { get; init; } = 0;
    /// <summary>Mini-batch size (not given by the report; 64 here).</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>Seeds the initialisation and the per-epoch shuffles.</summary>
    public int Seed { get; init; } = 0;
    /// <summary>How the weights are drawn.</summary>
    public InitScheme Init { get; init; } = InitScheme.Auto;
    /// <summary>Float32 for training, Float64 for gradient checks.</summary>
    public ScalarType DType { get; init; } = ScalarType.Float32;

    /// <summary>The report's three-layer set-up (the defaults).</summary>
    public static ScratchConfig Report => new();

    /// <summary>The report's two-layer net 784-H-10 (sigmoid output, MSE, lr 3e-3, 10 epochs).</summary>
    public static ScratchConfig TwoLayer(int hidden) => new() { HiddenSizes = [hidden] };

    /// <summary>The modern baseline: the same layers with a softmax output and cross-entropy.</summary>
    public static ScratchConfig SoftmaxBaseline => new() { OutputActivation = ScratchActivation.Softmax, Loss = ScratchLoss.CrossEntropy };

    /// <summary>Throws an <see cref="ArgumentException"/> that names the problem when the combination cannot be trained.</summary>
    public void Validate()
    {
        if (HiddenSizes is null || HiddenSizes.Any(h => h <= 0)) throw new ArgumentException("every hidden size must be positive");
        if (HiddenActivation == ScratchActivation.Softmax) throw new ArgumentException("softmax is an output activation; use ReLU, Sigmoid or Linear for hidden layers");
        if ((Loss is ScratchLoss.Bce or ScratchLoss.BceNaive) && OutputActivation != ScratchActivation.Sigmoid)
            throw new ArgumentException($"{Loss} is the cross-entropy of a sigmoid output: set OutputActivation = Sigmoid");
        if (Loss == ScratchLoss.CrossEntropy && OutputActivation != ScratchActivation.Softmax)
            throw new ArgumentException("cross-entropy is computed from the logits of a softmax output: set OutputActivation = Softmax");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"the learning rate must be positive, got {LearningRate}");
        if (!(LrDecay > 0 && LrDecay <= 1)) throw new ArgumentException($"the decay factor must be in (0, 1], got {LrDecay}");
        if (!(L2 >= 0) || double.IsInfinity(L2)) throw new ArgumentException($"L2 must be zero or positive, got {L2}");
        if (BatchSize <= 0) throw new ArgumentException($"the batch size must be positive, got {BatchSize}");
        if (Epochs < 0) throw new ArgumentException($"epochs must be zero or more, got {Epochs}");
        if (DType is not (ScalarType.Float32 or ScalarType.Float64)) throw new ArgumentException($"DType must be Float32 or Float64, got {DType}");
    }

    /// <summary>A short description, e.g. "784-256-128-10 relu/sigmoid mse lr=0.003".</summary>
    public string Describe(int inputs = 784, int classes = 10)
    {
        var layers = string.Join("-", new[] { inputs }.Concat(HiddenSizes).Append(classes));
        var l2 = L2 > 0 ? $" l2={L2:g3}" : "";
        return $"{layers} {HiddenActivation.ToString().ToLowerInvariant()}/{OutputActivation.ToString().ToLowerInvariant()} {Loss.ToString().ToLowerInvariant()} lr={LearningRate:g3}{l2} batch={BatchSize}";
    }
}
