using Workbook.Data;

namespace Workbook.Tests.Scratch;

/// <summary>Small real-data sets shared by the scratch tests (Fashion-MNIST is loaded once per process).</summary>
static class ScratchData
{
    static readonly Lazy<(Dataset Train, Dataset Validation, Dataset Test)> sets = new(() =>
    {
        var data = FashionMnist.Load(allowDownload: false);
        var (train, validation) = data.Train.Subset(3600, seed: 1).Split(1.0 / 6, seed: 1);
        return (train, validation, data.Test.Subset(1000, seed: 1));
    });

    /// <summary>3,000 training images.</summary>
    public static Dataset Train => sets.Value.Train;
    /// <summary>600 validation images.</summary>
    public static Dataset Validation => sets.Value.Validation;
    /// <summary>1,000 test images.</summary>
    public static Dataset Test => sets.Value.Test;
}
