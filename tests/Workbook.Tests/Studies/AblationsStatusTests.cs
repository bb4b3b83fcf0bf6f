using System.Text.Json;
using Workbook.Cli.Commands;
using Workbook.Runtime;
using Workbook.Studies;
using Workbook.Training;
using Xunit;

namespace Workbook.Tests.Studies;

public class AblationsStatusTests
{
    // A record as the trainer publishes it, reduced to what the status reads: spec, data ids, profile, wall time.
    static void Publish(PublishedResults results, string key, TrainSpec spec, bool augmented, double seconds)
    {
        var run = JsonSerializer.SerializeToNode(new
        {
            Spec = spec.KeyPart,
            DataIds = new[] { augmented ? "five|augment(rot10-shift0.1-zoom0.1,seed=" + spec.Seed + ")" : "five", "validation", "test" },
        }, WorkbookJson.Compact)!;
        results.Write(new RunRecord
        {
            Kind = TrainedRunFormat.KindName, Key = key, CodeVersion = CodeVersion.Trainer, Name = spec.Name,
            Provenance = new RunProvenance { Profile = "paper", Notebook = FiveClassStudy.AblationsNotebook, WallSeconds = seconds },
            Run = run,
        });
    }

    [Fact]
    public void The_status_tells_E6_from_E5_by_their_data_and_estimates_the_missing_seeds()
    {
        var results = new PublishedResults(TestData.TempStore().Root);
        var e5 = FiveClassStudy.E5(10);
        Publish(results, "00000000000000000001", e5 with { Seed = 1 }, augmented: false, 600);
        Publish(results, "00000000000000000002", e5 with { Name = "E6", Seed = 1 }, augmented: true, 1200);
        Publish(results, "00000000000000000003", e5 with { Name = "E6", Seed = 2 }, augmented: true, 1800);
        Publish(results, "00000000000000000004", e5 with { Seed = 3, Epochs = 2 }, augmented: false, 60); // quick's E5: not paper's

        Profile.Override = ProfileName.Paper;
        try
        {
            var experiments = FiveClassStudy.Ablations(Profile.Current).Where(e => e.Id is "E5" or "E6").ToList();
            var text = AblationsCommand.Status(experiments, [0, 1, 2, 3], Profile.Current, results).ToText();
            var e5Row = text.Split('\n').Single(l => l.StartsWith("E5 "));
            var e6Row = text.Split('\n').Single(l => l.StartsWith("E6 "));
            Assert.Matches(@"E5\s+05-five-class-cnn-ablations\s+1\s+0, 2, 3\s", e5Row);
            Assert.Matches(@"E6\s+05-five-class-cnn-ablations\s+1, 2\s+0, 3\s", e6Row);
            Assert.EndsWith("50.0", e6Row.TrimEnd()); // two missing seeds at the mean of 20 and 30 minutes
            Assert.EndsWith("30.0", e5Row.TrimEnd()); // three missing at 10 minutes
        }
        finally { Profile.Override = null; }
    }

    [Fact]
    public void Only_seeds_keeps_the_order_given_and_rejects_seeds_no_notebook_loads()
    {
        int[] paper = [0, 1, 2, 3, 4];
        Assert.Equal([4, 3], AblationsCommand.ChooseSeeds(paper, "4,3"));
        Assert.Equal([2], AblationsCommand.ChooseSeeds(paper, " 2 "));
        Assert.Contains("not one of this profile's seeds", Assert.Throws<UsageException>(() => AblationsCommand.ChooseSeeds(paper, "5")).Message);
        Assert.Contains("listed twice", Assert.Throws<UsageException>(() => AblationsCommand.ChooseSeeds(paper, "3,3")).Message);
        Assert.Contains("is not a seed", Assert.Throws<UsageException>(() => AblationsCommand.ChooseSeeds(paper, "3;4")).Message);
    }
}
