using Workbook.Data;
using Workbook.Evaluation;
using Xunit;
using static TorchSharp.torch;

namespace Workbook.Tests;

[Collection(TrainingCollection.Name)]
public class InferenceTimingTests
{
    [Fact]
    public void Every_network_is_timed_once_per_round_and_a_shared_network_once()
    {
        var data = new Dataset(rand(new long[] { 64, 1, 28, 28 }), arange(64, dtype: ScalarType.Int64).remainder(5),
            FashionMnist.FiveClassNames, "random");
        // E5 and E6 are one network: asked for twice, it is timed once per round.
        var seconds = InferenceTiming.Measure(["e1", "e5", "e5"], 5, data, [0, 1, 2], batchSize: 32);
        Assert.Equal(["e1", "e5"], seconds.Keys.Order());
        foreach (var (model, times) in seconds)
        {
            Assert.Equal(3, times.Length);
            Assert.All(times, t => Assert.True(t > 0 && double.IsFinite(t), $"{model}: {t} s"));
        }
        Assert.Throws<ArgumentException>(() => InferenceTiming.Measure(["e1"], 5, data, []));
        Assert.Throws<ArgumentException>(() => InferenceTiming.Measure([], 5, data, [0]));
    }
}
