using static TorchSharp.torch;

namespace Workbook.Scratch;

/// <summary>
/// The losses and their gradients with respect to the output layer's logits z, by hand.
/// Targets are [N, classes] rows (one-hot for classification). Every loss is divided by the batch
/// size N, so the learning rate does not depend on it.
/// </summary>
public static class ScratchLosses
{
    /// <summary>
    /// The mean loss of a batch as a 0-dim tensor (read it when needed; keeping it a tensor avoids a
    /// synchronising read per batch). <paramref name="output"/> is the activation of <paramref name="logits"/>.
    /// MSE: sum (y - t)^2 / 2N, as in the report. BCE: computed from the logits, never from the
    /// sigmoid output, because log(sigmoid(z)) underflows to log(0) = -inf once |z| passes ~17 in
    /// float32; -[t log s + (1-t) log(1-s)] with s = sigmoid(z) equals max(z,0) - t z + log(1 + e^-|z|),
    /// which is finite for every finite z. BceNaive: the same formula evaluated as written, on the sigmoid
    /// output s (report 003's way), so it becomes infinite or NaN once s rounds to 0 or 1. Cross-entropy: -sum t log softmax(z) / N with a
    /// max-shifted log-softmax.
    /// </summary>
    public static Tensor Value(ScratchLoss loss, Tensor logits, Tensor output, Tensor targets)
    {
        long n = logits.shape[0];
        return loss switch
        {
            ScratchLoss.Mse => (output - targets).pow_(2).sum().div_(2.0 * n),
            ScratchLoss.Bce => (logits.clamp_min(0) - logits * targets + logits.abs().neg_().exp_().log1p_()).sum().div_(n),
            ScratchLoss.CrossEntropy => (ScratchLayers.LogSoftmax(logits) * targets).sum().div_(-n),
            ScratchLoss.BceNaive => (targets * output.log() + (1 - targets) * (1 - output).log_()).sum().div_(-n),
            _ => throw new ArgumentOutOfRangeException(nameof(loss)),
        };
    }

    /// <summary>
    /// dL/dz for the output logits z. MSE: dL/dy = (y - t)/N, then back through the output activation.
    /// Sigmoid + BCE and softmax + cross-entropy: the activation's derivative cancels against the
    /// loss's and dL/dz = (y - t)/N exactly, which is also why these pairs are numerically safe.
    /// BceNaive does not cancel them, as a by-hand derivation of "sigmoid then log" would not:
    /// dL/dy = (-t/y + (1-t)/(1-y))/N, then times y(1-y); with y exactly 0 or 1 that is inf * 0 = NaN.
    /// </summary>
    public static Tensor GradientOfLogits(ScratchLoss loss, ScratchActivation outputActivation, Tensor output, Tensor targets)
    {
        long n = output.shape[0];
        var delta = (output - targets).div_(n);
        return loss switch
        {
            ScratchLoss.Mse => ScratchLayers.ActivationBackwardInPlace(outputActivation, output, delta),
            ScratchLoss.Bce or ScratchLoss.CrossEntropy => delta,
            ScratchLoss.BceNaive => ScratchLayers.ActivationBackwardInPlace(outputActivation,
                output, ((1 - targets) / (1 - output)).sub_(targets / output).div_(n)),
            _ => throw new ArgumentOutOfRangeException(nameof(loss)),
        };
    }
}
