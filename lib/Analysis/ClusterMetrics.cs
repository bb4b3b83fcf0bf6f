using Workbook.Reporting;

namespace Workbook.Analysis;

/// <summary>How many points of each label fall in each cluster.</summary>
public sealed class ContingencyTable
{
    /// <summary>Counts[c, l]: points in cluster Clusters[c] that carry label Labels[l].</summary>
    public required int[,] Counts { get; init; }
    /// <summary>The distinct cluster ids, ascending (so DBSCAN's noise, -1, comes first).</summary>
    public required int[] Clusters { get; init; }
    /// <summary>The distinct labels, ascending.</summary>
    public required int[] Labels { get; init; }
    /// <summary>Number of points.</summary>
    public int Total { get; init; }

    /// <summary>Points per cluster (row sums).</summary>
    public int[] ClusterSizes() => Enumerable.Range(0, Clusters.Length).Select(c => Enumerable.Range(0, Labels.Length).Sum(l => Counts[c, l])).ToArray();
    /// <summary>Points per label (column sums).</summary>
    public int[] LabelSizes() => Enumerable.Range(0, Labels.Length).Select(l => Enumerable.Range(0, Clusters.Length).Sum(c => Counts[c, l])).ToArray();

    /// <summary>
    /// The table for a notebook: one row per cluster (-1 shown as "noise"), one column per label
    /// (named by <paramref name="labelNames"/>, indexed by label, when given), and the row total.
    /// </summary>
    public Table ToTable(IReadOnlyList<string>? labelNames = null, string? title = null)
    {
        var columns = new List<string> { "cluster" };
        columns.AddRange(Labels.Select(l => labelNames != null && l >= 0 && l < labelNames.Count ? labelNames[l] : l.ToString()));
        columns.Add("total");
        var table = new Table(columns.ToArray()) { Title = title };
        var sizes = ClusterSizes();
        for (int c = 0; c < Clusters.Length; c++)
        {
            var row = new object?[columns.Count];
            row[0] = Clusters[c] < 0 ? "noise" : Clusters[c].ToString();
            for (int l = 0; l < Labels.Length; l++) row[l + 1] = Counts[c, l];
            row[^1] = sizes[c];
            table.Add(row);
        }
        return table;
    }
}

/// <summary>
/// External measures of a clustering against known labels. All treat every distinct id (DBSCAN's
/// noise -1 included) as one group. Formulas and degenerate cases follow scikit-learn.
/// </summary>
public static class ClusterMetrics
{
    /// <summary>The cluster x label count table.</summary>
    public static ContingencyTable Contingency(int[] clusters, int[] labels)
    {
        if (clusters.Length != labels.Length) throw new ArgumentException($"{clusters.Length} cluster ids but {labels.Length} labels");
        var clusterIds = clusters.Distinct().Order().ToArray();
        var labelIds = labels.Distinct().Order().ToArray();
        var clusterIndex = clusterIds.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        var labelIndex = labelIds.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        var counts = new int[clusterIds.Length, labelIds.Length];
        for (int i = 0; i < clusters.Length; i++) counts[clusterIndex[clusters[i]], labelIndex[labels[i]]]++;
        return new ContingencyTable { Counts = counts, Clusters = clusterIds, Labels = labelIds, Total = clusters.Length };
    }

    /// <summary>
    /// Adjusted Rand index (Hubert and Arabie 1985): the fraction of point pairs on which the two
    /// partitions agree, corrected so that random labelling scores 0 in expectation and identical
    /// partitions (up to renaming) score 1. Symmetric; can be negative.
    /// </summary>
    public static double AdjustedRandIndex(int[] a, int[] b)
    {
        var t = Contingency(a, b);
        if (t.Total < 2) return 1.0; // no pairs to disagree on
        double index = 0;
        foreach (var c in t.Counts) index += Pairs(c);
        double rows = t.ClusterSizes().Sum(s => Pairs(s));
        double cols = t.LabelSizes().Sum(s => Pairs(s));
        double expected = rows * cols / Pairs(t.Total);
        double max = (rows + cols) / 2;
        // max == expected only when both are one single group or both all singletons: the same partition.
        if (max == expected) return 1.0;
        return (index - expected) / (max - expected);
    }

    /// <summary>
    /// Normalized mutual information with arithmetic-mean normalisation (scikit-learn's default):
    /// I(A; B) / ((H(A) + H(B)) / 2), in [0, 1]; 1 for identical partitions up to renaming.
    /// Two single-group partitions score 1; otherwise zero mutual information scores 0.
    /// </summary>
    public static double NormalizedMutualInformation(int[] a, int[] b)
    {
        var t = Contingency(a, b);
        if (t.Clusters.Length == 1 && t.Labels.Length == 1) return 1.0;
        double n = t.Total;
        var rowSizes = t.ClusterSizes();
        var colSizes = t.LabelSizes();
        double mi = 0;
        for (int r = 0; r < rowSizes.Length; r++)
            for (int c = 0; c < colSizes.Length; c++)
            {
                int nij = t.Counts[r, c];
                if (nij > 0) mi += nij / n * Math.Log(n * nij / ((double)rowSizes[r] * colSizes[c]));
            }
        if (mi <= 0) return 0.0;
        double normaliser = (Entropy(rowSizes, n) + Entropy(colSizes, n)) / 2;
        return Math.Clamp(mi / normaliser, 0.0, 1.0);
    }

    /// <summary>
    /// Purity: each cluster votes for its most common label; the fraction of points that carry their
    /// cluster's label. 1 when no cluster mixes labels (trivially so with one cluster per point).
    /// </summary>
    public static double Purity(int[] clusters, int[] labels)
    {
        var t = Contingency(clusters, labels);
        long majority = 0;
        for (int c = 0; c < t.Clusters.Length; c++)
        {
            int best = 0;
            for (int l = 0; l < t.Labels.Length; l++) best = Math.Max(best, t.Counts[c, l]);
            majority += best;
        }
        return majority / (double)t.Total;
    }

    /// <summary><see cref="Contingency(int[], int[])"/> with labels as a dataset returns them.</summary>
    public static ContingencyTable Contingency(int[] clusters, long[] labels) => Contingency(clusters, ToInt(labels));
    /// <summary><see cref="AdjustedRandIndex(int[], int[])"/> with labels as a dataset returns them.</summary>
    public static double AdjustedRandIndex(int[] clusters, long[] labels) => AdjustedRandIndex(clusters, ToInt(labels));
    /// <summary><see cref="NormalizedMutualInformation(int[], int[])"/> with labels as a dataset returns them.</summary>
    public static double NormalizedMutualInformation(int[] clusters, long[] labels) => NormalizedMutualInformation(clusters, ToInt(labels));
    /// <summary><see cref="Purity(int[], int[])"/> with labels as a dataset returns them.</summary>
    public static double Purity(int[] clusters, long[] labels) => Purity(clusters, ToInt(labels));

    static int[] ToInt(long[] values) => values.Select(v => checked((int)v)).ToArray();

    /// <summary>n choose 2, as a double (no overflow for any realistic N).</summary>
    static double Pairs(long count) => count * (count - 1) / 2.0;

    static double Entropy(int[] sizes, double n)
    {
        double h = 0;
        foreach (var s in sizes)
            if (s > 0) h -= s / n * Math.Log(s / n);
        return h;
    }
}
