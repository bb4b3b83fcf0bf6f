using TorchSharp;
using static TorchSharp.torch;
using Seq = TorchSharp.Modules.Sequential;

namespace Workbook.Cli.Bench;

/// <summary>
/// Floating-point operations of a model, counted analytically from its layer shapes: a convolution
/// costs 2 * Cout * Cin/groups * kh * kw * Hout * Wout per image (one multiply and one add per weight
/// per output position), a dense layer 2 * in * out. Biases, activations, pooling and the loss are
/// left out (well under 1% for the benchmark's models). A training step is counted as three forward
/// passes (forward, plus backward to the inputs and to the weights), the usual convention.
/// </summary>
public static class Flops
{
    /// <summary>Forward FLOPs for one 1x28x28 image. Output sizes come from a shape-only pass over one blank image.</summary>
    public static long ForwardPerImage(Seq model)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        bool wasTraining = model.training;
        model.eval();
        long total = 0;
        Tensor x = zeros(1, 1, 28, 28);
        foreach (var child in model.children().Cast<nn.Module<Tensor, Tensor>>())
        {
            var y = child.call(x);
            total += child switch
            {
                TorchSharp.Modules.Conv2d c => 2 * c.weight!.numel() * y.shape[2] * y.shape[3],
                TorchSharp.Modules.Linear l => 2 * l.weight!.numel(),
                _ when child.parameters().Any() => throw new NotSupportedException($"no FLOP count for layer type {child.GetType().Name}"),
                _ => 0,
            };
            x = y;
        }
        if (wasTraining) model.train();
        return total;
    }

    /// <summary>FLOPs of training on one image: forward times three.</summary>
    public static long TrainingPerImage(Seq model) => 3 * ForwardPerImage(model);
}
