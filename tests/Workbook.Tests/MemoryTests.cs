using System.Diagnostics;
using Workbook.Training;
using Xunit;

namespace Workbook.Tests;

[Collection(TrainingCollection.Name)]
public class MemoryTests
{
    [Fact]
    public void Resident_memory_stays_flat_across_epochs_of_a_cnn()
    {
        var train = TestData.Real.Train.Subset(6000, seed: 9);
        var rss = new List<long>();
        var spec = new TrainSpec { Model = "cnn004", Epochs = 5, BatchSize = 64, TestEveryEpoch = false };
        var run = Trainer.Train(spec, train, progress: p =>
        {
            if (p.State is RunState.Running or RunState.Finished && p.Epoch > 0 && p.Batch == 0) // between epochs, not the mid-epoch reports
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                rss.Add(Process.GetCurrentProcess().WorkingSet64);
            }
        }, cache: new RunCache(TestData.TempStore()));
        Assert.Equal(5, run.EpochsRun);
        Assert.Equal(5, rss.Count);
        // 94 batches an epoch: a leak of one batch's activations per batch would add hundreds of MB.
        double growth = (rss[^1] - rss[0]) / (double)rss[0];
        Assert.True(growth < 0.05, $"RSS grew {growth:P1} from epoch 1 ({rss[0] / 1e6:F0} MB) to epoch 5 ({rss[^1] / 1e6:F0} MB)");
    }
}
