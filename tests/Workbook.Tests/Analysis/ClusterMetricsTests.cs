using Workbook.Analysis;
using Xunit;

namespace Workbook.Tests.Analysis;

public class ClusterMetricsTests
{
    static readonly int[] Truth = [0, 0, 0, 1, 1, 1, 2, 2, 2, 2];

    [Fact]
    public void Identical_and_renamed_partitions_score_one()
    {
        int[] renamed = Truth.Select(l => (l + 1) % 3 * 7).ToArray(); // ids 7, 14, 0
        Assert.Equal(1.0, ClusterMetrics.AdjustedRandIndex(Truth, Truth), 12);
        Assert.Equal(1.0, ClusterMetrics.AdjustedRandIndex(renamed, Truth), 12);
        Assert.Equal(1.0, ClusterMetrics.NormalizedMutualInformation(Truth, Truth), 12);
        Assert.Equal(1.0, ClusterMetrics.NormalizedMutualInformation(renamed, Truth), 12);
        Assert.Equal(1.0, ClusterMetrics.Purity(renamed, Truth));
    }

    [Fact]
    public void Adjusted_Rand_index_of_small_examples_matches_the_hand_computation()
    {
        // a = [0,0,1,2], b = [0,0,1,1]. Contingency rows (2,0), (0,1), (0,1).
        // sum C(n_ij, 2) = 1; rows: C(2,2) + 0 + 0 = 1; columns (2, 2): 1 + 1 = 2; C(4, 2) = 6.
        // expected = 1 * 2 / 6 = 1/3; max = (1 + 2) / 2 = 3/2; ARI = (1 - 1/3) / (3/2 - 1/3) = 4/7.
        Assert.Equal(4 / 7.0, ClusterMetrics.AdjustedRandIndex([0, 0, 1, 2], [0, 0, 1, 1]), 12);
        // a = [0,0,1,1], b = [0,1,0,1]: every pair together in one is split in the other.
        // index 0; rows 2, columns 2; expected 2 * 2 / 6 = 2/3; max 2; ARI = -2/3 / (4/3) = -1/2.
        Assert.Equal(-0.5, ClusterMetrics.AdjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1]), 12);
        // Symmetric.
        Assert.Equal(ClusterMetrics.AdjustedRandIndex([0, 0, 1, 1, 2], [1, 1, 1, 0, 0]), ClusterMetrics.AdjustedRandIndex([1, 1, 1, 0, 0], [0, 0, 1, 1, 2]), 12);
    }

    [Fact]
    public void Normalized_mutual_information_of_a_small_example_matches_the_hand_computation()
    {
        // a = [0,0,1,1], b = [0,0,0,1], N = 4. Contingency rows (2,0), (1,1); row sizes 2, 2; column sizes 3, 1.
        // MI = 2/4 ln(4*2/(2*3)) + 1/4 ln(4*1/(2*3)) + 1/4 ln(4*1/(2*1)) = 0.5 ln(4/3) + 0.25 ln(2/3) + 0.25 ln 2
        // H(a) = ln 2; H(b) = -(3/4 ln 3/4 + 1/4 ln 1/4); NMI = MI / ((H(a) + H(b)) / 2) = 0.343711... (scikit-learn 1.2.1 gives 0.34371101848545077)
        double mi = 0.5 * Math.Log(4 / 3.0) + 0.25 * Math.Log(2 / 3.0) + 0.25 * Math.Log(2);
        double ha = Math.Log(2), hb = -(0.75 * Math.Log(0.75) + 0.25 * Math.Log(0.25));
        double expected = mi / ((ha + hb) / 2);
        Assert.Equal(0.343711, expected, 6);
        Assert.Equal(expected, ClusterMetrics.NormalizedMutualInformation([0, 0, 1, 1], [0, 0, 0, 1]), 12);
        // Independent partitions share no information.
        Assert.Equal(0.0, ClusterMetrics.NormalizedMutualInformation([0, 0, 1, 1], [0, 1, 0, 1]), 12);
    }

    [Fact]
    public void Normalized_mutual_information_stays_in_the_unit_interval()
    {
        var rng = new Random(5);
        for (int trial = 0; trial < 50; trial++)
        {
            int n = rng.Next(2, 60);
            var a = Enumerable.Range(0, n).Select(_ => rng.Next(rng.Next(1, 6))).ToArray();
            var b = Enumerable.Range(0, n).Select(_ => rng.Next(rng.Next(1, 6))).ToArray();
            Assert.InRange(ClusterMetrics.NormalizedMutualInformation(a, b), 0.0, 1.0);
            Assert.InRange(ClusterMetrics.AdjustedRandIndex(a, b), -1.0, 1.0);
            Assert.InRange(ClusterMetrics.Purity(a, b), 0.0, 1.0);
        }
    }

    [Fact]
    public void Degenerate_partitions_follow_scikit_learn()
    {
        // One group on both sides: a perfect (if uninformative) match.
        Assert.Equal(1.0, ClusterMetrics.AdjustedRandIndex([3, 3, 3], [1, 1, 1]));
        Assert.Equal(1.0, ClusterMetrics.NormalizedMutualInformation([3, 3, 3], [1, 1, 1]));
        // All singletons on both sides: also the same partition.
        Assert.Equal(1.0, ClusterMetrics.AdjustedRandIndex([0, 1, 2], [5, 4, 3]));
        // One side a single group, the other not: no agreement beyond chance, no information.
        Assert.Equal(0.0, ClusterMetrics.AdjustedRandIndex([0, 0, 0, 0], [0, 0, 1, 1]), 12);
        Assert.Equal(0.0, ClusterMetrics.NormalizedMutualInformation([0, 0, 0, 0], [0, 0, 1, 1]), 12);
    }

    [Fact]
    public void Purity_counts_each_clusters_majority_label()
    {
        // Cluster 0 holds labels (0, 0, 1): majority 2; cluster 1 holds (1, 1, 2): majority 2. 4 of 6.
        Assert.Equal(4 / 6.0, ClusterMetrics.Purity([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 1, 2]), 12);
        // Dataset labels come as long[].
        Assert.Equal(4 / 6.0, ClusterMetrics.Purity([0, 0, 0, 1, 1, 1], new long[] { 0, 0, 1, 1, 1, 2 }), 12);
    }

    [Fact]
    public void Contingency_table_counts_every_point_once_with_sorted_ids()
    {
        int[] clusters = [2, 2, -1, 0, 0, 0, 2, -1, 0, 2];
        var t = ClusterMetrics.Contingency(clusters, Truth);
        Assert.Equal(new[] { -1, 0, 2 }, t.Clusters);
        Assert.Equal(new[] { 0, 1, 2 }, t.Labels);
        Assert.Equal(10, t.Total);
        int sum = 0;
        foreach (var c in t.Counts) sum += c;
        Assert.Equal(10, sum);
        Assert.Equal(new[] { 2, 4, 4 }, t.ClusterSizes());
        Assert.Equal(new[] { 3, 3, 4 }, t.LabelSizes());
        // Noise: points 2 (label 0) and 7 (label 2).
        Assert.Equal(1, t.Counts[0, 0]);
        Assert.Equal(1, t.Counts[0, 2]);
        // Cluster 0: points 3, 4, 5 (label 1) and 8 (label 2).
        Assert.Equal(3, t.Counts[1, 1]);
        Assert.Equal(1, t.Counts[1, 2]);

        var table = t.ToTable(["zero", "one", "two"]);
        Assert.Equal(new[] { "cluster", "zero", "one", "two", "total" }, table.Columns);
        Assert.Equal("noise", table.Rows[0][0]);
        Assert.Equal(4, table.Rows[2][^1]);
    }
}
