using Workbook.Analysis;
using Xunit;
using static TorchSharp.torch;

namespace Workbook.Tests.Analysis;

public class SubgroupSplitTests
{
    [Fact]
    public void Two_separated_blobs_split_beyond_the_null_and_recover_their_fine_labels()
    {
        // Two sub-groups of 150 points in 10 dimensions, centres about 5 spreads apart.
        var (x, fine, _) = Synthetic.Blobs(blobs: 2, perBlob: 150, dims: 10, separation: 4, spread: 1, seed: 3);
        var result = SubgroupSplit.Test(x, fine);
        Assert.True(result.SplitsBeyondNull, result.Describe());
        Assert.True(result.SeparatesFineLabels, result.Describe());
        Assert.True(result.FineLabelAdjustedRand > 0.9, result.Describe());
        Assert.Equal(Enumerable.Range(0, 300), result.Rows); // every row tested, in order
    }

    [Fact]
    public void A_subsample_names_the_rows_it_tested_so_groups_can_be_traced_back()
    {
        var (x, fine, _) = Synthetic.Blobs(blobs: 2, perBlob: 150, dims: 10, separation: 4, spread: 1, seed: 3);
        var result = SubgroupSplit.Test(x, fine, maxPoints: 100);
        Assert.Equal(100, result.Rows.Length);
        Assert.Equal(result.Rows.Order(), result.Rows);
        Assert.Equal(100, result.Rows.Distinct().Count());
        // The groups follow the blobs of the traced rows: every row's group agrees with its blob (up to naming).
        var blobOf = result.Rows.Select(r => fine[r]).ToArray();
        bool same = blobOf.Zip(result.Assignment).All(p => p.First == p.Second);
        bool swapped = blobOf.Zip(result.Assignment).All(p => p.First != p.Second);
        Assert.True(same || swapped, result.Describe());
    }

    [Fact]
    public void A_single_elongated_blob_does_not_split_although_2_means_divides_it_evenly()
    {
        // One Gaussian, stretched 3x along one axis: 2-means cuts it into two even halves (a naive "two
        // clusters of 20% each" test passes), but the null of the same covariance splits as well.
        var rng = new Random(5);
        var values = new float[300 * 10];
        for (int i = 0; i < 300; i++)
            for (int d = 0; d < 10; d++) values[i * 10 + d] = (float)((d == 0 ? 3 : 1) * Synthetic.Normal(rng));
        using var x = tensor(values, [300, 10]);
        var fine = Enumerable.Range(0, 300).Select(i => i % 2).ToArray(); // labels unrelated to position
        var result = SubgroupSplit.Test(x, fine);
        Assert.True(result.Sizes.Min() > 90, result.Describe());
        Assert.False(result.SplitsBeyondNull, result.Describe());
        Assert.False(result.SeparatesFineLabels, result.Describe());
    }

    [Fact]
    public void Silhouette_is_one_for_two_far_points_pairs_and_mismatched_labels_are_refused()
    {
        using var x = Synthetic.Matrix(new double[,] { { 0, 0 }, { 0, 0.001 }, { 100, 0 }, { 100, 0.001 } });
        Assert.InRange(SubgroupSplit.MeanSilhouette(x, [0, 0, 1, 1]), 0.9999, 1.0);
        Assert.True(SubgroupSplit.MeanSilhouette(x, [0, 1, 0, 1]) < 0);
        var e = Assert.Throws<ArgumentException>(() => SubgroupSplit.Test(x, [0, 1]));
        Assert.Contains("2 fine labels for 4 points", e.Message);
    }
}
