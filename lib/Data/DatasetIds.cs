using System.Globalization;
using System.Text.RegularExpressions;

namespace Workbook.Data;

/// <summary>
/// Rebuilds a data set from its <see cref="Dataset.Id"/>: the id records every step that made it
/// (source, subset, split, relabeling), so a stored run can be retrained on exactly its data.
/// </summary>
public static partial class DatasetIds
{
    /// <summary>The data set with this id, or null when the id has a step that cannot be replayed (e.g. augmentation).</summary>
    public static Dataset? Rebuild(string id, FashionMnistData data)
    {
        if (!CanRebuild(id, data)) return null;
        var steps = id.Split('|');
        var current = steps[0] == data.Train.Id ? data.Train : data.Test;
        foreach (var step in steps.Skip(1))
        {
            if (SubsetStep().Match(step) is { Success: true } subset)
                current = current.Subset(int.Parse(subset.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(subset.Groups[2].Value, CultureInfo.InvariantCulture));
            else if (SplitStep().Match(step) is { Success: true } split)
            {
                var (train, validation) = current.Split(double.Parse(split.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(split.Groups[2].Value, CultureInfo.InvariantCulture));
                current = split.Groups[3].Value == "train" ? train : validation;
            }
            else current = FashionMnist.ToFiveClasses(current); // the one other step CanRebuild accepts
        }
        return current.Id == id ? current : null;
    }

    /// <summary>
    /// Whether every step of the id can be replayed on <paramref name="data"/>, decided from the id alone: nothing
    /// is built (rebuilding makes full copies of the images, hundreds of MB for a five-class or augmented set).
    /// </summary>
    public static bool CanRebuild(string id, FashionMnistData data)
    {
        var steps = id.Split('|');
        return (steps[0] == data.Train.Id || steps[0] == data.Test.Id)
            && steps.Skip(1).All(step => SubsetStep().IsMatch(step) || SplitStep().IsMatch(step) || step == RelabelStep);
    }

    const string RelabelStep = "relabel(five-class)";

    [GeneratedRegex(@"^subset\((\d+),seed=(-?\d+)\)$")]
    private static partial Regex SubsetStep();

    [GeneratedRegex(@"^split\(([0-9.eE+-]+),seed=(-?\d+)\):(train|validation)$")]
    private static partial Regex SplitStep();
}
