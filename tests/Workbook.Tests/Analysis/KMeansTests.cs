using Workbook.Analysis;
using Xunit;

namespace Workbook.Tests.Analysis;

public class KMeansTests
{
    [Fact]
    public void Well_separated_blobs_are_recovered_exactly()
    {
        // Five blobs in 10-D: centres about 10 * sqrt(2 * 10) = 45 apart, points within about 3 of their centre.
        var (x, truth, _) = Synthetic.Blobs(5, 60, 10, separation: 10, spread: 1, seed: 1);
        using (x)
        {
            var result = KMeans.Fit(x, 5, seed: 0);
            Assert.Equal(1.0, ClusterMetrics.AdjustedRandIndex(result.Labels, truth), 12);
            Assert.Equal(new[] { 60, 60, 60, 60, 60 }, result.ClusterSizes());
            Assert.Equal(5, result.Centroids.GetLength(0));
            Assert.Equal(10, result.Centroids.GetLength(1));
            // Inertia is then about N * D * spread^2 = 3000.
            Assert.InRange(result.Inertia, 2500, 3500);
            Assert.Equal(result.Labels, KMeans.Predict(x, result.Centroids));
        }
    }

    [Fact]
    public void More_restarts_never_give_a_higher_inertia()
    {
        // Overlapping blobs and a k that does not match them: restarts land in different local minima.
        var (x, _, _) = Synthetic.Blobs(8, 40, 4, separation: 2, spread: 1, seed: 2);
        using (x)
        {
            var inertias = Enumerable.Range(1, 6).Select(r => KMeans.Fit(x, 6, restarts: r, seed: 3).Inertia).ToArray();
            for (int r = 1; r < inertias.Length; r++) Assert.True(inertias[r] <= inertias[r - 1], $"{r + 1} restarts: {inertias[r]} > {inertias[r - 1]}");
            var ten = KMeans.Fit(x, 6, restarts: 10, seed: 3);
            Assert.Equal(ten.RestartInertias.Min(), ten.Inertia);
            Assert.Equal(ten.RestartInertias[ten.BestRestart], ten.Inertia);
            // The restarts did not all agree, or this test would show nothing.
            Assert.True(ten.RestartInertias.Distinct().Count() > 1);
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_clustering()
    {
        var (x, _, _) = Synthetic.Blobs(6, 50, 5, separation: 2, spread: 1, seed: 4);
        using (x)
        {
            var a = KMeans.Fit(x, 6, restarts: 3, seed: 42);
            var b = KMeans.Fit(x, 6, restarts: 3, seed: 42);
            Assert.Equal(a.Labels, b.Labels);
            Assert.Equal(a.Inertia, b.Inertia);
            Assert.Equal(a.RestartInertias, b.RestartInertias);
            Assert.Equal(Synthetic.Rows(a.Centroids), Synthetic.Rows(b.Centroids));
        }
    }

    [Fact]
    public void One_cluster_per_point_has_zero_inertia_and_one_cluster_is_the_mean()
    {
        using var x = Synthetic.Column(0, 1, 5, 6);
        var each = KMeans.Fit(x, 4, restarts: 2);
        Assert.Equal(0.0, each.Inertia, 9);
        Assert.Equal(4, each.Labels.Distinct().Count());
        var one = KMeans.Fit(x, 1, restarts: 1);
        Assert.Equal(3.0f, one.Centroids[0, 0], 5);
        Assert.Equal(9 + 4 + 4 + 9, one.Inertia, 9);
    }

    [Fact]
    public void Two_groups_on_a_line_split_at_the_gap()
    {
        using var x = Synthetic.Column(0, 1, 2, 10, 11, 12);
        var r = KMeans.Fit(x, 2);
        Assert.Equal(1.0, ClusterMetrics.AdjustedRandIndex(r.Labels, [0, 0, 0, 1, 1, 1]));
        Assert.Equal(4.0, r.Inertia, 9); // (1 + 0 + 1) per group
    }
}
