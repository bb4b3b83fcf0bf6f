using Workbook.Data;
using Workbook.Runtime;
using Workbook.Training;

namespace Workbook.Studies;

/// <summary>One experiment of report 002: its id, what it changes, how it trains, and whether its training set is augmented.</summary>
/// <param name="Id">E1..E7, GoogLeNet, ResNet (+aug).</param>
/// <param name="Change">What it adds, in the report's words.</param>
/// <param name="Spec">How it trains.</param>
/// <param name="Augmented">Whether the training set gets one augmented copy of every image, drawn per seed (E6 and the +aug runs).</param>
/// <param name="ReportAccuracy">The report's test accuracy (its own figure), when it gives one.</param>
/// <param name="ReportParameters">The report's parameter count, when it gives one.</param>
/// <param name="Notebook">The notebook whose runs these are (its published records are filed under it).</param>
public sealed record FiveClassExperiment(string Id, string Change, TrainSpec Spec, bool Augmented, double? ReportAccuracy,
    long? ReportParameters, string Notebook)
{
    /// <summary>Images in one epoch: an augmented training set holds each image twice, as itself and one augmented copy.</summary>
    public int TrainingImages(Dataset train) => Augmented ? 2 * train.Count : train.Count;

    /// <summary>
    /// The training batches <paramref name="run"/> went through: its epochs times the batches of one epoch (the
    /// last one partial). Two runs of one network at one batch size cost the same per batch, so on one machine
    /// their training times stand in this ratio, whatever else the machine was doing when each was trained.
    /// </summary>
    public long BatchesTrained(TrainedRun run, Dataset train) =>
        (long)run.EpochsRun * ((TrainingImages(train) + run.Spec.BatchSize - 1) / run.Spec.BatchSize);
}

/// <summary>The five-class data sets of report 002: training, validation (20%) and test.</summary>
public sealed record FiveClassData(Dataset Train, Dataset Validation, Dataset Test);

/// <summary>
/// Report 002's study, shared by the ablation notebook (05) and the clustering notebook (06), which
/// must ask for exactly the same E5 run to find it in the run cache.
/// </summary>
public static class FiveClassStudy
{
    /// <summary>Epochs per profile: the report's 10 under paper.</summary>
    public static int Epochs(Profile profile) => profile.Pick(smoke: 1, quick: 2, paper: 10);

    /// <summary>Seeds per experiment under paper: the claims differ by tenths of a point.</summary>
    public const int PaperSeeds = 5;

    /// <summary>The seed of the validation split (the same for every run) and of a single-seed run.</summary>
    public const int Seed = 0;

    /// <summary>The augmentation of E6 and the +aug runs (small rotation, shift and zoom).</summary>
    public static readonly Augmentation Augmentation = new(RotationDegrees: 10, Shift: 0.1, Zoom: 0.1);

    /// <summary>Five-class training (80%), validation (20%) and test sets, subset under the smoke profile.</summary>
    public static FiveClassData Load(Profile profile)
    {
        var data = FashionMnist.Load();
        var (train, validation) = FashionMnist.ToFiveClasses(data.Train.Subset(profile.TrainLimit)).Split(0.2, Seed);
        return new FiveClassData(train, validation, FashionMnist.ToFiveClasses(data.Test.Subset(profile.TestLimit)));
    }

    /// <summary>
    /// The training set with one augmented copy of every image, drawn with <paramref name="seed"/>: each
    /// training seed gets its own copy (its id names the seed, so runs on different copies have different
    /// cache keys; seed 0's id is the one the single shared copy had, so its cached runs stay valid).
    /// </summary>
    public static Dataset Augment(Dataset train, int seed) => Augmentation.Expand(train, seed);

    /// <summary>
    /// Trains <paramref name="experiment"/> once per seed. A seed changes the initialisation, the batch
    /// order, the dropout masks and, for an augmented experiment, the augmentation draws; the validation
    /// split is the same for every seed. The augmented set of a seed (twice the training set) is made just
    /// before its run and freed right after, so memory does not grow with the number of seeds.
    /// </summary>
    public static SeedRuns TrainSeeds(FiveClassExperiment experiment, IReadOnlyList<int> seeds, FiveClassData data,
        Action<TrainingProgress>? progress = null, RunCache? cache = null) =>
        experiment.Augmented
            ? Trainer.TrainSeeds(experiment.Spec, seeds, seed => Augment(data.Train, seed), data.Validation, data.Test,
                progress, cache, needModel: false, freeEach: true)
            : Trainer.TrainSeeds(experiment.Spec, seeds, data.Train, data.Validation, data.Test, progress, cache);

    static TrainSpec Adam(string name, string model, int epochs) => new()
    {
        Name = name, Model = model, Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, BatchSize = 32, Epochs = epochs,
        EarlyStoppingPatience = 3, Seed = Seed, TestEveryEpoch = false,
    };

    /// <summary>E5: the model whose 256-unit layer the clustering study uses.</summary>
    public static TrainSpec E5(int epochs) => Adam("E5", "e5", epochs);

    /// <summary>
    /// Whether the GoogLeNet and ResNet experiments use the real architectures ("googlenet", "resnet18",
    /// millions of parameters): only under paper, the one profile that judges C002-9. Smoke and quick use the
    /// small stand-ins: the real ones are far too slow for those profiles on a CPU.
    /// </summary>
    public static bool ClassicArchitectures(ProfileName profile) => profile == ProfileName.Paper;

    /// <summary>The notebook of the ablations E1-E7 (claims C002-1..8).</summary>
    public const string AblationsNotebook = "05-five-class-cnn-ablations";

    /// <summary>
    /// The notebook of GoogLeNet and ResNet (claim C002-9): a notebook of its own because under paper these are
    /// networks of millions of parameters, hours per seed on a CPU, while E1-E7 train there in minutes.
    /// </summary>
    public const string ClassicNotebook = "07-googlenet-resnet";

    /// <summary>The report's seven ablations E1-E7 (notebook 05), in the report's order.</summary>
    public static IReadOnlyList<FiveClassExperiment> Ablations(Profile profile) => Ablations(Epochs(profile));

    /// <summary>GoogLeNet and ResNet with and without augmentation (notebook 07): the real architectures under paper.</summary>
    public static IReadOnlyList<FiveClassExperiment> ClassicNetworks(Profile profile) =>
        ClassicNetworks(Epochs(profile), ClassicArchitectures(profile.Name));

    /// <summary>All eleven experiments of <paramref name="profile"/>: the ablations, then GoogLeNet and ResNet.</summary>
    public static IReadOnlyList<FiveClassExperiment> Experiments(Profile profile) => [.. Ablations(profile), .. ClassicNetworks(profile)];

    /// <summary>
    /// E1-E7 in the report's order. Keras defaults where the report says nothing: batch 32, SGD at 0.01, Adam at 0.001.
    /// </summary>
    public static IReadOnlyList<FiveClassExperiment> Ablations(int epochs) =>
    [
        new("E1", "base model, SGD", new TrainSpec { Name = "E1", Model = "e1", Optimizer = OptimizerKind.Sgd, LearningRate = 0.01, BatchSize = 32, Epochs = epochs, Seed = Seed, TestEveryEpoch = false }, false, 0.9732, 3_223_909, AblationsNotebook),
        new("E2", "E1 + Adam + early stopping", Adam("E2", "e1", epochs), false, 0.9823, 3_223_909, AblationsNotebook),
        new("E3", "E2 + dense 256", Adam("E3", "e3", epochs), false, 0.9848, 3_353_957, AblationsNotebook),
        new("E4", "E3 + two conv and two pool layers", Adam("E4", "e4", epochs), false, 0.9858, 963_205, AblationsNotebook),
        new("E5", "E4 + dropout", E5(epochs), false, 0.9863, 963_205, AblationsNotebook),
        new("E6", "E5 + augmentation (data doubled)", Adam("E6", "e5", epochs), true, 0.9861, 963_205, AblationsNotebook),
        new("E7", "E5 + residual block", Adam("E7", "e7", epochs), false, 0.9835, null, AblationsNotebook),
    ];

    /// <summary>
    /// GoogLeNet and ResNet, plain and augmented, trained like E2-E7 (Adam 0.001, batch 32, early stopping).
    /// <paramref name="classicArchitectures"/> picks GoogLeNet (Szegedy et al. 2015) and ResNet-18 (He et al. 2016)
    /// adapted to 28x28, or else the small stand-ins.
    /// </summary>
    public static IReadOnlyList<FiveClassExperiment> ClassicNetworks(int epochs, bool classicArchitectures)
    {
        var (googLeNet, resNet) = classicArchitectures ? ("googlenet", "resnet18") : ("googlenet-small", "resnet-small");
        var (googLeNetChange, resNetChange) = classicArchitectures
            ? ("GoogLeNet (inception modules)", "ResNet-18 (residual stages)")
            : ("small GoogLeNet-style stand-in", "small ResNet-style stand-in");
        return
        [
            new("GoogLeNet", googLeNetChange, Adam("GoogLeNet", googLeNet, epochs), false, 0.9813, null, ClassicNotebook),
            new("GoogLeNet+aug", googLeNetChange + " + augmentation", Adam("GoogLeNet+aug", googLeNet, epochs), true, 0.9861, null, ClassicNotebook),
            new("ResNet", resNetChange, Adam("ResNet", resNet, epochs), false, 0.9846, null, ClassicNotebook),
            new("ResNet+aug", resNetChange + " + augmentation", Adam("ResNet+aug", resNet, epochs), true, 0.9865, null, ClassicNotebook),
        ];
    }

    /// <summary>The report's training and test times in seconds (Colab GPU), E1..E7: its own figures, for ratios only.</summary>
    public static readonly IReadOnlyDictionary<string, (double Train, double Test)> ReportTimes = new Dictionary<string, (double, double)>
    {
        ["E1"] = (35, 1.4), ["E2"] = (24, 1.48), ["E3"] = (30, 1.43), ["E4"] = (40, 1.3), ["E5"] = (55, 1.28), ["E6"] = (104.04, 1.38), ["E7"] = (52, 2.7),
    };
}
