using TorchSharp;
using Workbook.Data;
using Workbook.Reporting;
using static TorchSharp.torch;

namespace Workbook.Scratch;

/// <summary>One epoch of the same network from the same start, hand-written vs autograd + torch.optim.SGD.</summary>
/// <param name="Examples">Training examples in the epoch.</param>
/// <param name="BatchSize">Mini-batch size.</param>
/// <param name="ScratchSeconds">Fastest hand-written epoch over the repeats.</param>
/// <param name="AutogradSeconds">Fastest autograd epoch over the repeats.</param>
/// <param name="MaxParameterDifference">Largest |difference| between the two trained parameter sets
/// (rounding only: about 1e-6 in float32, 1e-12 or less in float64).</param>
public sealed record EpochComparison(int Examples, int BatchSize, double ScratchSeconds, double AutogradSeconds, double MaxParameterDifference)
{
    /// <summary>As a two-row table.</summary>
    public Table ToTable() => new Table("method", "seconds per epoch", "examples per second")
    {
        Title = $"One epoch, {Examples:N0} examples, batch {BatchSize}",
        Note = $"Same start, same batches; the trained parameters differ by at most {MaxParameterDifference:0.0e0}. Fastest of the repeats, torch threads: {get_num_threads()}.",
    }
        .Add("hand-written backward + manual SGD", ScratchSeconds, Examples / ScratchSeconds)
        .Add("autograd + torch.optim.SGD", AutogradSeconds, Examples / AutogradSeconds);
}

/// <summary>Times the hand-written training loop against the conventional autograd one.</summary>
public static class ScratchBenchmark
{
    /// <summary>
    /// Trains one epoch both ways from the same initialisation, over the same batches, and returns
    /// the fastest of <paramref name="repeats"/> timings of each (the first run of either also pays
    /// for warming up libtorch, so use 2 or more for a fair number).
    /// </summary>
    public static EpochComparison CompareEpoch(ScratchConfig config, Dataset train, int repeats = 2)
    {
        config.Validate();
        int inputs = (int)(train.Images.numel() / train.Count);
        double scratch = double.PositiveInfinity, autograd = double.PositiveInfinity, difference = 0;
        using var x = train.Images.reshape(train.Count, inputs).to_type(config.DType);
        using var targets = ScratchTrainer.OneHot(train.Labels, train.NumClasses, config.DType);
        for (int r = 0; r < Math.Max(1, repeats); r++)
        {
            using var scope = NewDisposeScope();
            using var net = ScratchNet.Create(config, inputs, train.NumClasses);
            var (autogradSeconds, trained) = AutogradReference.TimeEpoch(net, train);
            autograd = Math.Min(autograd, autogradSeconds);

            var clock = System.Diagnostics.Stopwatch.StartNew();
            using (no_grad()) ScratchTrainer.TrainEpoch(net, x, targets, train.Labels, config.LearningRate, ScratchTrainer.ShuffleSeed(config.Seed, 1));
            scratch = Math.Min(scratch, clock.Elapsed.TotalSeconds);

            var mine = net.NamedParameters().Select(p => p.Value).ToList();
            difference = mine.Zip(trained, (a, b) => (a - b).abs().max().ToDouble()).Max();
        }
        return new EpochComparison(train.Count, config.BatchSize, scratch, autograd, difference);
    }
}
