using Workbook.Data;
using Workbook.Runtime;
using Workbook.Studies;
using Workbook.Training;
using Xunit;
using static TorchSharp.torch;

namespace Workbook.Tests.Studies;

/// <summary>
/// Report 002's study: each seed draws its own augmented copy, the real GoogLeNet/ResNet-18 run only under
/// paper, and E5 stays the one spec notebook 06 asks the run cache for.
/// </summary>
[Collection(TrainingCollection.Name)]
public class FiveClassStudyTests
{
    // Random images are enough: the augmentation warps whatever it is given.
    static Dataset Tiny(int count = 48)
    {
        var generator = new Generator(7);
        return new Dataset(rand(new long[] { count, 1, 28, 28 }, generator: generator),
            arange(count, dtype: ScalarType.Int64).remainder(5), FashionMnist.FiveClassNames, "tiny");
    }

    static float[] Pixels(Dataset d) => d.Images.reshape(-1).data<float>().ToArray();

    [Fact]
    public void Each_seed_draws_its_own_augmented_copy_and_a_seed_always_the_same()
    {
        var train = Tiny();
        var zero = FiveClassStudy.Augment(train, 0);
        var one = FiveClassStudy.Augment(train, 1);
        var oneAgain = FiveClassStudy.Augment(train, 1);

        // Seed 0's id is the one the single shared copy had, so runs cached before stay valid.
        Assert.Equal("tiny|augment(rot10-shift0.1-zoom0.1,seed=0)", zero.Id);
        Assert.NotEqual(zero.Id, one.Id);
        Assert.Equal(one.Id, oneAgain.Id);
        Assert.Equal(Pixels(one), Pixels(oneAgain));

        // The originals come first and are the same; the augmented halves differ between seeds.
        Assert.Equal(2 * train.Count, one.Count);
        int half = Pixels(train).Length;
        Assert.Equal(Pixels(train), Pixels(zero).Take(half));
        Assert.Equal(Pixels(train), Pixels(one).Take(half));
        using var copyZero = zero.Images.narrow(0, train.Count, train.Count);
        using var copyOne = one.Images.narrow(0, train.Count, train.Count);
        Assert.True(copyZero.sub(copyOne).abs().mean().item<float>() > 0.01f, "seeds 0 and 1 drew the same augmented copy");
    }

    [Theory]
    [InlineData(ProfileName.Smoke, "googlenet-small", "resnet-small")]
    [InlineData(ProfileName.Quick, "googlenet-small", "resnet-small")]
    [InlineData(ProfileName.Paper, "googlenet", "resnet18")]
    public void Only_paper_trains_the_real_GoogLeNet_and_ResNet(ProfileName profile, string googLeNet, string resNet)
    {
        var models = FiveClassStudy.ClassicNetworks(10, FiveClassStudy.ClassicArchitectures(profile))
            .ToDictionary(e => e.Id, e => e.Spec.Model);
        Assert.Equal(googLeNet, models["GoogLeNet"]);
        Assert.Equal(googLeNet, models["GoogLeNet+aug"]);
        Assert.Equal(resNet, models["ResNet"]);
        Assert.Equal(resNet, models["ResNet+aug"]);
        Assert.Equal(["GoogLeNet", "GoogLeNet+aug", "ResNet", "ResNet+aug"], models.Keys);
    }

    [Fact]
    public void The_ablations_belong_to_notebook_05_and_the_classic_networks_to_notebook_07()
    {
        foreach (var name in new[] { ProfileName.Smoke, ProfileName.Paper })
        {
            Profile.Override = name;
            try
            {
                var all = FiveClassStudy.Experiments(Profile.Current);
                Assert.Equal(["E1", "E2", "E3", "E4", "E5", "E6", "E7", "GoogLeNet", "GoogLeNet+aug", "ResNet", "ResNet+aug"],
                    all.Select(e => e.Id));
                Assert.Equal(Enumerable.Repeat(FiveClassStudy.AblationsNotebook, 7).Concat(Enumerable.Repeat(FiveClassStudy.ClassicNotebook, 4)),
                    all.Select(e => e.Notebook));
                // Each notebook exists and asks for its own list.
                foreach (var notebook in all.Select(e => e.Notebook).Distinct())
                    Assert.True(File.Exists(Path.Combine(Workbook.Runtime.WorkbookPaths.Root, "notebooks", notebook + ".ipynb")), notebook);
            }
            finally { Profile.Override = null; }
        }
        Assert.Contains("FiveClassStudy.Ablations(profile)", File.ReadAllText(Path.Combine(Workbook.Runtime.WorkbookPaths.Root, "notebooks", FiveClassStudy.AblationsNotebook + ".ipynb")));
        Assert.Contains("FiveClassStudy.ClassicNetworks(profile)", File.ReadAllText(Path.Combine(Workbook.Runtime.WorkbookPaths.Root, "notebooks", FiveClassStudy.ClassicNotebook + ".ipynb")));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(10)]
    public void E5_is_the_spec_notebook_06_asks_for_under_every_profile(int epochs)
    {
        {
            var e5 = FiveClassStudy.Ablations(epochs).Single(e => e.Id == "E5");
            Assert.False(e5.Augmented);
            Assert.Equal(FiveClassStudy.E5(epochs), e5.Spec);
            Assert.Equal(FiveClassStudy.E5(epochs).KeyPart, e5.Spec.KeyPart);
        }
    }

    [Fact]
    public void An_augmented_experiment_trains_each_seed_on_that_seeds_copy()
    {
        var (train, validation) = Tiny(60).Split(0.2, FiveClassStudy.Seed);
        var data = new FiveClassData(train, validation, Tiny(20));
        var experiments = FiveClassStudy.Ablations(1);
        // A tiny model in place of E6's CNN: what is tested is which data each seed trains on.
        FiveClassExperiment Small(string id)
        {
            var e = experiments.Single(x => x.Id == id);
            return e with { Spec = e.Spec with { Model = "mlp-16", BatchSize = 16 } };
        }
        var cache = new RunCache(TestData.TempStore());
        var progressNames = new List<string>();

        var e6 = FiveClassStudy.TrainSeeds(Small("E6"), [0, 1], data, p => progressNames.Add(p.Run), cache);
        Assert.Equal([0, 1], e6.Seeds);
        Assert.Equal(["E6", "E6"], e6.Select(r => r.Name));
        Assert.Equal(train.Id + "|augment(rot10-shift0.1-zoom0.1,seed=0)", e6[0].DataIds[0]);
        Assert.Equal(train.Id + "|augment(rot10-shift0.1-zoom0.1,seed=1)", e6[1].DataIds[0]);
        Assert.Equal(validation.Id, e6[1].DataIds[1]);
        Assert.Contains("E6, seed 1", progressNames);

        var e5 = FiveClassStudy.TrainSeeds(Small("E5"), [0, 1], data, cache: cache);
        Assert.All(e5, r => Assert.Equal(train.Id, r.DataIds[0]));
    }

    [Fact]
    public void An_augmented_experiment_counts_the_batches_of_its_doubled_set()
    {
        var train = Tiny(50);
        var experiments = FiveClassStudy.Ablations(10).ToDictionary(e => e.Id);
        var (e5, e6) = (experiments["E5"], experiments["E6"]);
        Assert.Equal(train.Count, e5.TrainingImages(train));
        Assert.Equal(FiveClassStudy.Augment(train, 2).Count, e6.TrainingImages(train)); // what the runs train on

        TrainedRun Run(FiveClassExperiment e, int epochs) => new()
        {
            Spec = e.Spec with { BatchSize = 32 },
            History = new History { Epochs = Enumerable.Range(1, epochs).Select(k => new EpochRecord { Epoch = k }).ToList() },
        };
        Assert.Equal(3 * 2, e5.BatchesTrained(Run(e5, 3), train));  // 50 images: batches of 32 and 18
        Assert.Equal(3 * 4, e6.BatchesTrained(Run(e6, 3), train));  // 100 images: 32, 32, 32 and 4
        Assert.Equal(2 * 4, e6.BatchesTrained(Run(e6, 2), train));  // stopped early: fewer epochs, fewer batches
    }
}
