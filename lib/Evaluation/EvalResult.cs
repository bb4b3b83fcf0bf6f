using System.Text.Json.Serialization;

namespace Workbook.Evaluation;

/// <summary>A model's predictions on a data set and what follows from them.</summary>
public sealed class EvalResult
{
    /// <summary>Number of examples.</summary>
    public int Count { get; init; }
    /// <summary>Fraction correct, 0..1.</summary>
    public double Accuracy { get; init; }
    /// <summary>Mean loss (by the run's loss function).</summary>
    public double Loss { get; init; }
    /// <summary>Examples whose outputs were not finite (a diverged model): predicted as -1, counted wrong.</summary>
    [JsonIgnore]
    public int NonFinite => Predictions.Count(p => p < 0);
    /// <summary>Predicted class of each example; -1 where the model's outputs were not finite.</summary>
    public long[] Predictions { get; init; } = [];
    /// <summary>True class of each example.</summary>
    public long[] Labels { get; init; } = [];
    /// <summary>Class names, by label.</summary>
    public string[] ClassNames { get; init; } = [];
    /// <summary>Seconds for the forward passes over the whole set.</summary>
    public double Seconds { get; init; }

    /// <summary>Confusion matrix: [true class][predicted class] counts.</summary>
    [JsonIgnore]
    public int[][] Confusion
    {
        get
        {
            int k = ClassNames.Length;
            var m = Enumerable.Range(0, k).Select(_ => new int[k]).ToArray();
            // A prediction of -1 (non-finite outputs) is no class: it counts as wrong and sits in no cell.
            for (int i = 0; i < Labels.Length; i++) if (Predictions[i] >= 0) m[Labels[i]][Predictions[i]]++;
            return m;
        }
    }

    /// <summary>Accuracy of each true class (recall), 0..1.</summary>
    [JsonIgnore]
    public double[] PerClassAccuracy => Confusion.Select((row, i) => row.Sum() == 0 ? double.NaN : (double)row[i] / row.Sum()).ToArray();

    /// <summary>Number correctly classified per class.</summary>
    [JsonIgnore]
    public int[] CorrectPerClass => Confusion.Select((row, i) => row[i]).ToArray();

    /// <summary>The class with the lowest accuracy.</summary>
    [JsonIgnore]
    public int WorstClass => Array.IndexOf(PerClassAccuracy, PerClassAccuracy.Where(double.IsFinite).Min());

    /// <summary>Unordered class pairs by how often either is taken for the other, most confused first.</summary>
    public IReadOnlyList<(int A, int B, int Count)> MostConfusedPairs(int top = 5)
    {
        var m = Confusion;
        var pairs = new List<(int, int, int)>();
        for (int a = 0; a < m.Length; a++)
            for (int b = a + 1; b < m.Length; b++)
                pairs.Add((a, b, m[a][b] + m[b][a]));
        return pairs.OrderByDescending(p => p.Item3).Take(top).ToList();
    }

    /// <summary>Indices of the misclassified examples, in data order.</summary>
    public int[] MisclassifiedIndices() => Enumerable.Range(0, Count).Where(i => Predictions[i] != Labels[i]).ToArray();
}
