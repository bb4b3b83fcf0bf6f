using Workbook.Data;
using Workbook.Statistics;

namespace Workbook.Training;

/// <summary>The runs of one spec over several seeds: the first is the one curves and matrices show.</summary>
public sealed class SeedRuns(TrainSpec spec, IReadOnlyList<TrainedRun> runs) : IReadOnlyList<TrainedRun>
{
    /// <summary>The spec (its seed is that of the first run).</summary>
    public TrainSpec Spec { get; } = spec;
    /// <summary>The display name.</summary>
    public string Name => runs[0].Name;
    /// <summary>The run of the first seed.</summary>
    public TrainedRun First => runs[0];
    /// <summary>The seeds, in order.</summary>
    public IReadOnlyList<int> Seeds => runs.Select(r => r.Spec.Seed).ToArray();
    /// <summary>One figure per seed.</summary>
    public SeedSample Sample(Func<TrainedRun, double> figure) => new(runs.Select(figure));
    /// <summary>Test accuracy per seed (NaN for a diverged seed).</summary>
    public SeedSample TestAccuracy => Sample(r => r.TestAccuracy);
    /// <summary>True when any seed diverged.</summary>
    public bool AnyDiverged => runs.Any(r => r.Diverged);

    /// <inheritdoc />
    public TrainedRun this[int index] => runs[index];
    /// <inheritdoc />
    public int Count => runs.Count;
    /// <inheritdoc />
    public IEnumerator<TrainedRun> GetEnumerator() => runs.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

