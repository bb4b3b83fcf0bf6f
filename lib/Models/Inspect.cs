using TorchSharp;
using static TorchSharp.torch;

namespace Workbook.Models;

/// <summary>Looks inside trained models: parameter values for histograms and sparsity counts.</summary>
public static class Inspect
{
    /// <summary>The values of a named parameter (e.g. "dense1.weight"), flattened, as doubles.</summary>
    public static double[] Values(nn.Module model, string parameter)
    {
        foreach (var (name, p) in model.named_parameters())
            if (name == parameter)
            {
                using var cpu = p.detach().cpu().to_type(ScalarType.Float64).flatten();
                return cpu.data<double>().ToArray();
            }
        throw new ArgumentException($"no parameter '{parameter}'; the model has {string.Join(", ", model.named_parameters().Select(p => p.name))}");
    }

    /// <summary>Fraction of values whose magnitude is below <paramref name="threshold"/>.</summary>
    public static double FractionNearZero(IReadOnlyCollection<double> values, double threshold = 1e-3) =>
        values.Count == 0 ? double.NaN : values.Count(v => Math.Abs(v) < threshold) / (double)values.Count;
}
