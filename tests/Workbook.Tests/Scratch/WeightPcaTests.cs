using Workbook.Scratch;
using Xunit;

namespace Workbook.Tests.Scratch;

public class WeightPcaTests
{
    [Fact]
    public void Gives_channel_last_rgb_in_the_unit_interval()
    {
        var rng = new Random(0);
        var weights = Enumerable.Range(0, 784 * 20).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        foreach (var scaling in new[] { PcaScaling.Standardized, PcaScaling.Raw })
        {
            var rgb = WeightPca.ToRgb(weights, 784, 20, scaling);
            Assert.Equal(784 * 3, rgb.Length);
            Assert.All(rgb, v => Assert.InRange(v, 0f, 1f));
        }
        Assert.Equal(WeightPca.ToRgb(weights, 784, 20), WeightPca.ToRgb(weights, 784, 20));
    }

    [Fact]
    public void The_first_channel_follows_the_dominant_pattern()
    {
        // Every unit sees the same pixel pattern (left half bright) with a little noise: the first
        // component is that pattern, so the red channel separates the two halves.
        var rng = new Random(1);
        int units = 16;
        var weights = new float[784 * units];
        for (int p = 0; p < 784; p++)
            for (int u = 0; u < units; u++)
                weights[p * units + u] = (p % 28 < 14 ? 1f : -1f) * (1 + u % 3) + (float)(rng.NextDouble() - 0.5) * 0.1f;
        var rgb = WeightPca.ToRgb(weights, 784, units);
        double left = Enumerable.Range(0, 784).Where(p => p % 28 < 14).Average(p => rgb[p * 3]);
        double right = Enumerable.Range(0, 784).Where(p => p % 28 >= 14).Average(p => rgb[p * 3]);
        // Scores are +-s for the two halves, so +-2 standard deviations is +-2s: 0.25 and 0.75 after mapping.
        Assert.Equal(0.5, Math.Abs(left - right), 2);
    }

    [Fact]
    public void Raw_scaling_leaves_small_weights_near_grey()
    {
        var rng = new Random(2);
        var weights = Enumerable.Range(0, 784 * 32).Select(_ => (float)((rng.NextDouble() - 0.5) * 0.01)).ToArray();
        Assert.All(WeightPca.ToRgb(weights, 784, 32, PcaScaling.Raw), v => Assert.InRange(v, 0.45f, 0.55f));
    }

    [Fact]
    public void Makes_a_grid_of_snapshots()
    {
        var snapshot = new WeightSnapshot("init", 0, 784, 4, Enumerable.Range(0, 784 * 4).Select(i => (float)Math.Sin(i)).ToArray());
        var grid = WeightPca.Grid([snapshot, snapshot with { Label = "final" }]);
        Assert.Equal(2, grid.Images.Count);
        Assert.True(grid.Images.All(i => i.Rgb && i.Width == 28));
    }
}
