using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Workbook.Models;

/// <summary>How a model's outputs (logits) are turned into a loss.</summary>
public enum LossKind
{
    /// <summary>Softmax cross-entropy on logits (the usual choice).</summary>
    CrossEntropy,
    /// <summary>Negative log-likelihood of log-softmax outputs (report 004's wording; the same numbers as CrossEntropy).</summary>
    Nll,
    /// <summary>Mean squared error between sigmoid outputs and one-hot targets (report 003).</summary>
    Mse,
    /// <summary>Binary cross-entropy between sigmoid outputs and one-hot targets (report 003), computed from logits for stability.</summary>
    Bce,
    /// <summary>
    /// The mistake report 001 appears to make: softmax applied in the model and then a cross-entropy that
    /// applies softmax again. It still trains, but the loss cannot fall much below ~1.46 for 10 classes.
    /// </summary>
    SoftmaxThenCrossEntropy,
}

/// <summary>The loss functions of <see cref="LossKind"/>.</summary>
public static class Losses
{
    /// <summary>The mean loss of a batch of logits [N, C] against labels [N].</summary>
    public static Tensor Compute(LossKind kind, Tensor logits, Tensor labels)
    {
        long classes = logits.shape[1];
        return kind switch
        {
            LossKind.CrossEntropy => F.cross_entropy(logits, labels),
            LossKind.Nll => F.nll_loss(F.log_softmax(logits, 1), labels),
            LossKind.Mse => F.mse_loss(F.sigmoid(logits), F.one_hot(labels, classes).to_type(logits.dtype)),
            LossKind.Bce => F.binary_cross_entropy_with_logits(logits, F.one_hot(labels, classes).to_type(logits.dtype)),
            LossKind.SoftmaxThenCrossEntropy => F.cross_entropy(F.softmax(logits, 1), labels),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    /// <summary>
    /// Sum of |w| (L1) and of w^2 (L2) over the weight matrices and kernels (parameters with more than one
    /// dimension; biases and batch-norm scales are not penalised), times their strengths.
    /// </summary>
    public static Tensor? Penalty(IEnumerable<Tensor> parameters, double l1, double l2)
    {
        if (l1 == 0 && l2 == 0) return null;
        Tensor? total = null;
        // Explicit scalars, alive until every mul has returned (see Optimizer for why).
        using Scalar strength1 = l1.ToScalar(), strength2 = l2.ToScalar();
        foreach (var p in parameters.Where(p => p.dim() > 1))
        {
            Tensor term = l1 != 0 && l2 != 0 ? p.abs().sum().mul(strength1) + p.square().sum().mul(strength2)
                : l1 != 0 ? p.abs().sum().mul(strength1) : p.square().sum().mul(strength2);
            total = total is null ? term : total + term;
        }
        return total;
    }
}
