using Workbook.Data;
using Workbook.Training;

namespace Workbook.Tests;

/// <summary>Shared real data and a throw-away run store for tests.</summary>
public static class TestData
{
    static readonly Lazy<FashionMnistData> data = new(() => FashionMnist.Load(allowDownload: false));

    /// <summary>The real Fashion-MNIST (CI installs the Debian package).</summary>
    public static FashionMnistData Real => data.Value;

    /// <summary>A fresh empty run store in a temporary folder.</summary>
    public static RunStore TempStore() => new(Directory.CreateTempSubdirectory("wb-runs").FullName);
}
