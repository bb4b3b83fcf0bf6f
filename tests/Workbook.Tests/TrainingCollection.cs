using Xunit;

namespace Workbook.Tests;

/// <summary>
/// Test classes that train: Trainer.Train seeds libtorch's one global generator (manual_seed) and dropout
/// draws from it, so two classes training at once would change each other's random streams and break
/// the exact-reproducibility checks. xunit runs the classes of one collection one after another.
/// </summary>
[CollectionDefinition(Name)]
public sealed class TrainingCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "training (libtorch's global generator)";
}
