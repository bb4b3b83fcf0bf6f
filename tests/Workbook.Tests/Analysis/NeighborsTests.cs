using Workbook.Analysis;
using Xunit;

namespace Workbook.Tests.Analysis;

public class NeighborsTests
{
    [Fact]
    public void Nearest_neighbours_on_a_line_exclude_the_point_itself()
    {
        // Points 0, 1, 3, 7, 7 (no ties but the duplicate): nearest first; each 7 is the other's
        // nearest neighbour at distance 0, but never its own.
        using var x = Synthetic.Column(0, 1, 3, 7, 7);
        var (indices, distances) = Neighbors.KNearest(x, 2);
        using (indices)
        using (distances)
        {
            var idx = indices.data<long>().ToArray();
            var dist = distances.data<double>().ToArray();
            Assert.Equal(new long[] { 1, 2, 0, 2, 1, 0, 4, 2, 3, 2 }, idx);
            Assert.Equal(new double[] { 1, 3, 1, 2, 2, 3, 0, 4, 0, 4 }, dist);
        }
    }

    [Fact]
    public void Same_label_fraction_is_one_for_separated_groups_and_lower_when_mixed()
    {
        using var x = Synthetic.Column(0, 0.1, 0.3, 10, 10.1, 10.3);
        Assert.Equal(1.0, Neighbors.SameLabelFraction(x, [0, 0, 0, 1, 1, 1], k: 2));
        // One stranger per group. First group, labels (a, a, b): 0 -> (0.1 a, 0.3 b) 1 of 2 same;
        // 0.1 -> (0 a, 0.3 b) 1; 0.3 -> (0.1 a, 0 a) 0. The second group mirrors it: 4 of 12 in all.
        Assert.Equal(4 / 12.0, Neighbors.SameLabelFraction(x, [0, 0, 1, 1, 1, 0], k: 2), 12);
    }
}
