using TorchSharp;
using static TorchSharp.torch;

namespace Workbook.Data;

/// <summary>
/// Images and labels held as CPU tensors, with the class names and an <see cref="Id"/> that says
/// exactly which images these are (source, subset, split, relabeling). The run cache keys on that id.
/// </summary>
public sealed class Dataset
{
    /// <summary>Images, float32 [N, 1, 28, 28], scaled to [0, 1].</summary>
    public Tensor Images { get; }
    /// <summary>Labels, int64 [N].</summary>
    public Tensor Labels { get; }
    /// <summary>Name of each class, indexed by label.</summary>
    public IReadOnlyList<string> ClassNames { get; }
    /// <summary>Where these images came from, e.g. "fashion-mnist:train|split(0.2,seed=0):train".</summary>
    public string Id { get; }

    /// <summary>Number of examples.</summary>
    public int Count => (int)Labels.shape[0];
    /// <summary>Number of classes.</summary>
    public int NumClasses => ClassNames.Count;

    /// <summary>Wraps tensors; they are detached from any dispose scope so the dataset owns them.</summary>
    public Dataset(Tensor images, Tensor labels, IReadOnlyList<string> classNames, string id)
    {
        if (images.dim() != 4) throw new ArgumentException($"images must be [N,C,H,W], got [{string.Join(",", images.shape)}]");
        if (labels.dim() != 1 || labels.shape[0] != images.shape[0])
            throw new ArgumentException($"{images.shape[0]} images but labels of shape [{string.Join(",", labels.shape)}]");
        Images = images.DetachFromDisposeScope();
        Labels = labels.DetachFromDisposeScope();
        ClassNames = classNames;
        Id = id;
    }

    /// <summary>The examples at <paramref name="indices"/>, in that order.</summary>
    public Dataset Select(long[] indices, string idSuffix)
    {
        using var scope = NewDisposeScope();
        using var idx = tensor(indices, ScalarType.Int64);
        return new Dataset(Images.index_select(0, idx).MoveToOuterDisposeScope(), Labels.index_select(0, idx).MoveToOuterDisposeScope(), ClassNames, $"{Id}|{idSuffix}");
    }

    /// <summary>A seeded random subset of <paramref name="count"/> examples (all of them when count is null or not smaller).</summary>
    public Dataset Subset(int? count, int seed = 0)
    {
        if (count is null || count >= Count) return this;
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), "a subset needs at least one example");
        var order = Permutation(Count, seed);
        var chosen = order.Take(count.Value).ToArray();
        Array.Sort(chosen); // keep the original order, so the subset looks like the data
        return Select(chosen, $"subset({count},seed={seed})");
    }

    /// <summary>
    /// Splits off a validation set: a seeded shuffle, then the last <paramref name="validationFraction"/>
    /// of it. The same fraction and seed always give the same split.
    /// </summary>
    public (Dataset Train, Dataset Validation) Split(double validationFraction, int seed = 0)
    {
        if (validationFraction <= 0 || validationFraction >= 1)
            throw new ArgumentOutOfRangeException(nameof(validationFraction), $"must be between 0 and 1, got {validationFraction}");
        var order = Permutation(Count, seed);
        int validation = (int)Math.Round(Count * validationFraction);
        var trainIdx = order.Take(Count - validation).ToArray();
        var valIdx = order.Skip(Count - validation).ToArray();
        Array.Sort(trainIdx);
        Array.Sort(valIdx);
        var tag = $"split({validationFraction},seed={seed})";
        return (Select(trainIdx, tag + ":train"), Select(valIdx, tag + ":validation"));
    }

    /// <summary>Maps every label through <paramref name="mapping"/> (old label -> new label) and renames the classes.</summary>
    public Dataset Relabel(long[] mapping, IReadOnlyList<string> newNames, string name)
    {
        if (mapping.Length != NumClasses)
            throw new ArgumentException($"the mapping has {mapping.Length} entries but the dataset has {NumClasses} classes");
        if (mapping.Any(m => m < 0 || m >= newNames.Count))
            throw new ArgumentException($"the mapping sends a class outside 0..{newNames.Count - 1}");
        using var scope = NewDisposeScope();
        using var map = tensor(mapping, ScalarType.Int64);
        var labels = map.index_select(0, Labels).MoveToOuterDisposeScope();
        return new Dataset(Images, labels, newNames, $"{Id}|relabel({name})");
    }

    /// <summary>Appends another dataset with the same classes.</summary>
    public Dataset Concat(Dataset other, string idSuffix)
    {
        if (!ClassNames.SequenceEqual(other.ClassNames)) throw new ArgumentException("datasets with different classes cannot be joined");
        return new Dataset(cat([Images, other.Images], 0), cat([Labels, other.Labels], 0), ClassNames, $"{Id}|{idSuffix}");
    }

    /// <summary>The labels as an array.</summary>
    public long[] LabelArray() => Labels.data<long>().ToArray();

    /// <summary>How many examples each class has.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[NumClasses];
        foreach (var l in LabelArray()) counts[l]++;
        return counts;
    }

    /// <summary>One image as 28x28 floats in [0, 1] (row-major).</summary>
    public float[] Image(int index) => Images[index].reshape(-1).data<float>().ToArray();

    /// <summary>The shuffle seed of one epoch of a run: every trainer draws its batch order from this one rule.</summary>
    public static int ShuffleSeed(int runSeed, int epoch) => unchecked(runSeed * 100_003 + epoch);

    /// <summary>A deterministic permutation of 0..n-1 (Fisher-Yates with a seeded System.Random).</summary>
    public static long[] Permutation(int n, int seed)
    {
        var rng = new Random(seed);
        var order = new long[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Id}: {Count:N0} images, {NumClasses} classes";
}
