using Workbook.Scratch;
using Xunit;

namespace Workbook.Tests.Scratch;

public class GradientCheckTests
{
    [Fact]
    public void Every_parameter_of_every_combination_matches_autograd_in_float64()
    {
        var result = GradientCheck.RunAll();
        // 3 hidden activations x 6 output/loss pairs x L2 off and on, 6 parameters each.
        Assert.Equal(3 * 6 * 2 * 6, result.Rows.Count);
        Assert.Equal(36, result.Rows.Select(r => (r.Hidden, r.Output, r.Loss, r.L2)).Distinct().Count());
        Assert.Contains(result.Rows, r => r.L2 > 0);
        Assert.All(result.Rows, r => Assert.True(r.RelativeError < GradientCheck.Tolerance, $"{r} exceeds {GradientCheck.Tolerance}"));
        Assert.True(result.Passed);
    }

    [Fact]
    public void Passes_on_real_images_with_784_inputs()
    {
        var result = GradientCheck.RunAll(ScratchData.Test, batch: 12, hiddenSizes: [24]);
        Assert.Contains(result.Rows, r => r.Parameter == "W1" && r.Shape == "784x24");
        Assert.True(result.Passed, result.ToText());
    }

    [Fact]
    public void Renders_as_a_table_with_one_row_per_configuration()
    {
        var result = GradientCheck.RunAll();
        var table = result.ToTable();
        Assert.Equal(36, table.Rows.Count);
        Assert.Contains("W1 [20x16]", table.Columns);
        Assert.Contains("<table", result.ToHtml());
    }

    [Fact]
    public void Relative_error_detects_a_wrong_gradient()
    {
        using var a = TorchSharp.torch.tensor(new double[] { 1, 2, 3 });
        using var b = TorchSharp.torch.tensor(new double[] { 1, 2, 3.3 });
        Assert.Equal(0, GradientCheck.RelativeError(a, a));
        Assert.InRange(GradientCheck.RelativeError(a, b), 0.05, 0.1);
    }
}
