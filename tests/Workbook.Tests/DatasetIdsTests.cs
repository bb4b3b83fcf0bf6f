using Workbook.Data;
using Workbook.Studies;
using Xunit;

namespace Workbook.Tests;

public class DatasetIdsTests
{
    [Fact]
    public void Which_ids_can_be_rebuilt_is_decided_from_the_id_and_agrees_with_rebuilding()
    {
        var data = TestData.Real;
        var small = data.Train.Subset(600, seed: 3);
        var (train, validation) = FashionMnist.ToFiveClasses(small).Split(0.2, seed: 0);
        var augmented = FiveClassStudy.Augment(train, seed: 1);
        string[] replayable = [small.Id, train.Id, validation.Id, data.Test.Subset(100, seed: 2).Id];
        foreach (var id in replayable)
        {
            Assert.True(DatasetIds.CanRebuild(id, data), id);
            var rebuilt = DatasetIds.Rebuild(id, data);
            Assert.Equal(id, rebuilt?.Id);
        }
        foreach (var id in new[] { augmented.Id, "other-source|subset(5,seed=0)", small.Id + "|shuffle(seed=1)" })
        {
            Assert.False(DatasetIds.CanRebuild(id, data), id);
            Assert.Null(DatasetIds.Rebuild(id, data));
        }
        augmented.Images.Dispose();
        augmented.Labels.Dispose();
    }
}
