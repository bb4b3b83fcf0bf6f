using TorchSharp;
using Workbook.Analysis;
using Xunit;
using static TorchSharp.torch;

namespace Workbook.Tests.Analysis;

public class PcaTests
{
    [Fact]
    public void Points_on_a_line_give_that_direction_with_all_the_variance()
    {
        // x = c + t * (-u) with u = (1, -4, 8) / 9: the line's direction is u up to sign, and the
        // convention (largest loading positive: 8/9) must give +u although the data ran along -u.
        double[] u = [1 / 9.0, -4 / 9.0, 8 / 9.0];
        double[] c = [2, -1, 0.5];
        var rows = new double[9, 3];
        for (int i = 0; i < 9; i++)
            for (int d = 0; d < 3; d++) rows[i, d] = c[d] - (i - 4) * 1.5 * u[d];
        using var x = Synthetic.Matrix(rows);
        using var pca = Pca.Fit(x);

        var first = pca.Components[0].data<double>().ToArray();
        for (int d = 0; d < 3; d++) Assert.Equal(u[d], first[d], 5);
        Assert.Equal(1.0, pca.ExplainedVarianceRatio[0], 6);
        // Variance along the line: t = 1.5 * (-4..4), sum t^2 = 2.25 * 60, over N - 1 = 8.
        Assert.Equal(2.25 * 60 / 8, pca.ExplainedVariance[0], 4);
    }

    [Fact]
    public void Anisotropic_Gaussian_recovers_its_axes_and_variances()
    {
        // Standard deviation 3 along (cos 30, sin 30) and 1 across it: variances 9 and 1, ratios 0.9 and 0.1.
        var rng = new Random(3);
        double angle = Math.PI / 6;
        int n = 20_000;
        var rows = new double[n, 2];
        for (int i = 0; i < n; i++)
        {
            double a = 3 * Synthetic.Normal(rng), b = Synthetic.Normal(rng);
            rows[i, 0] = 5 + a * Math.Cos(angle) - b * Math.Sin(angle);
            rows[i, 1] = -2 + a * Math.Sin(angle) + b * Math.Cos(angle);
        }
        using var x = Synthetic.Matrix(rows);
        using var pca = Pca.Fit(x);

        // Sampling error of a variance with 20,000 points is about 1%.
        Assert.InRange(pca.ExplainedVariance[0], 9 * 0.97, 9 * 1.03);
        Assert.InRange(pca.ExplainedVariance[1], 0.97, 1.03);
        Assert.InRange(pca.ExplainedVarianceRatio[0], 0.89, 0.91);
        Assert.Equal(1.0, pca.ExplainedVarianceRatio.Sum(), 9);
        var first = pca.Components[0].data<double>().ToArray();
        Assert.Equal(Math.Cos(angle), first[0], 2);
        Assert.Equal(Math.Sin(angle), first[1], 2);
        var mean = pca.Mean.data<double>().ToArray();
        Assert.Equal(5, mean[0], 1);
        Assert.Equal(-2, mean[1], 1);
    }

    [Theory]
    [InlineData(200, 12)] // N >= D: eigenvectors of the covariance
    [InlineData(8, 20)]   // N < D: SVD of the centred data
    public void Components_are_orthonormal_and_the_mean_maps_to_zero(int n, int d)
    {
        var (x, _, _) = Synthetic.Blobs(3, n / 3 + 1, d, separation: 2, spread: 1, seed: n);
        using (x)
        using (var pca = Pca.Fit(x))
        using (var gram = pca.Components.mm(pca.Components.t()))
        using (var identity = eye(pca.Count, dtype: ScalarType.Float64))
        using (var meanRow = pca.Mean.unsqueeze(0).to(ScalarType.Float32))
        using (var projectedMean = pca.Transform(meanRow))
        {
            Assert.True(gram.allclose(identity, rtol: 0, atol: 1e-9));
            Assert.True(projectedMean.abs().max().item<float>() < 1e-4);
            // With every component kept the ratios account for all the variance, largest first.
            Assert.Equal(1.0, pca.ExplainedVarianceRatio.Sum(), 9);
            Assert.True(pca.ExplainedVariance.Zip(pca.ExplainedVariance.Skip(1)).All(p => p.First >= p.Second - 1e-12));
        }
    }

    [Fact]
    public void Transform_then_inverse_reproduces_the_data_when_all_components_are_kept()
    {
        var (x, _, _) = Synthetic.Blobs(4, 25, 6, separation: 3, spread: 1, seed: 7);
        using (x)
        using (var pca = Pca.Fit(x))
        using (var projected = pca.Transform(x))
        using (var back = pca.InverseTransform(projected))
        {
            Assert.Equal(new long[] { 100, 6 }, projected.shape);
            Assert.True(back.to(ScalarType.Float32).allclose(x, rtol: 0, atol: 1e-4));
        }
    }

    [Fact]
    public void A_truncated_fit_keeps_the_leading_components()
    {
        var (x, _, _) = Synthetic.Blobs(5, 40, 10, separation: 3, spread: 1, seed: 11);
        using (x)
        using (var full = Pca.Fit(x))
        using (var two = Pca.Fit(x, 2))
        {
            Assert.Equal(2, two.Count);
            Assert.Equal(full.ExplainedVarianceRatio.Take(2), two.ExplainedVarianceRatio, (a, b) => Math.Abs(a - b) < 1e-9);
            Assert.True(two.Components.allclose(full.Components.narrow(0, 0, 2), rtol: 0, atol: 1e-9));
            Assert.Equal(new long[] { 200, 2 }, two.Transform(x).shape);
        }
    }
}
