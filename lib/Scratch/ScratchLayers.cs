using TorchSharp;
using static TorchSharp.torch;

namespace Workbook.Scratch;

/// <summary>
/// The forward and backward passes of each building block, written out by hand on plain tensors
/// (no autograd). Rows are examples: x is [N, in], a weight matrix is [in, out] (the report's
/// 784 x hidden layout), a bias is [out]. "In place" methods overwrite their argument to save a
/// buffer per batch. Temporaries are left to the caller's dispose scope (training runs each batch
/// in one), which frees them together at the end of the batch.
/// </summary>
public static class ScratchLayers
{
    /// <summary>Linear forward: z = x W + b.</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor bias) => bias.addmm(x, weight);

    /// <summary>
    /// Linear backward. Writes dL/dW = x^T dz into <paramref name="gradWeight"/> and dL/db = sum over
    /// rows of dz into <paramref name="gradBias"/> (both preallocated and overwritten), and returns
    /// dL/dx = dz W^T when <paramref name="needInputGradient"/> (the first layer does not need it).
    /// </summary>
    public static Tensor? LinearBackward(Tensor x, Tensor weight, Tensor dz, Tensor gradWeight, Tensor gradBias, bool needInputGradient)
    {
        // beta = 0: the old contents of the buffer are ignored, not multiplied (no stale NaN leaks in).
        gradWeight.addmm_(x.t(), dz, beta: 0f, alpha: 1f);
        // dim named on purpose: a bare literal 0 would bind to the sum(ScalarType? type) overload (0 converts to any enum) and sum everything as bytes.
        gradBias.copy_(dz.sum(dim: 0));
        return needInputGradient ? dz.mm(weight.t()) : null;
    }

    /// <summary>Applies an activation to <paramref name="z"/> in place and returns it.</summary>
    public static Tensor ActivateInPlace(ScratchActivation activation, Tensor z) => activation switch
    {
        ScratchActivation.ReLU => z.relu_(),
        ScratchActivation.Sigmoid => z.sigmoid_(),
        ScratchActivation.Linear => z,
        ScratchActivation.Softmax => SoftmaxInPlace(z),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    /// <summary>
    /// Row-wise softmax in place. The row maximum is subtracted first, so exp never overflows;
    /// softmax is unchanged by that shift.
    /// </summary>
    public static Tensor SoftmaxInPlace(Tensor z)
    {
        z.sub_(z.amax([1], keepdim: true)).exp_();
        return z.div_(z.sum(1, keepdim: true));
    }

    /// <summary>Row-wise log-softmax (a new tensor): z - max - log(sum exp(z - max)).</summary>
    public static Tensor LogSoftmax(Tensor z)
    {
        var shifted = z - z.amax([1], keepdim: true);
        return shifted.sub_(shifted.exp().sum(1, keepdim: true).log_());
    }

    /// <summary>
    /// Activation backward, in place: turns dL/da into dL/dz, using only the activation's output a
    /// (each of these derivatives can be written in terms of the output, so z need not be kept).
    /// ReLU: da * [a &gt; 0]. Sigmoid: da * a * (1 - a). Linear: da.
    /// Softmax: a * (da - sum_j da_j a_j), the Jacobian-vector product of each row.
    /// </summary>
    public static Tensor ActivationBackwardInPlace(ScratchActivation activation, Tensor a, Tensor da)
    {
        switch (activation)
        {
            case ScratchActivation.ReLU:
                da.masked_fill_(a.le(0), 0);
                break;
            case ScratchActivation.Sigmoid:
                da.mul_(a).mul_(a.neg().add_(1));
                break;
            case ScratchActivation.Linear:
                break;
            case ScratchActivation.Softmax:
                da.sub_((da * a).sum(1, keepdim: true)).mul_(a);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation));
        }
        return da;
    }
}
