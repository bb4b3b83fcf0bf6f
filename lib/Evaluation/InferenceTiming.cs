using TorchSharp;
using Workbook.Data;
using Workbook.Models;
using Workbook.Runtime;
using static TorchSharp.torch;

namespace Workbook.Evaluation;

/// <summary>
/// The test-time cost of several networks, measured side by side. The test time a training run records is taken
/// whenever that run ends, beside whatever else the machine is doing: on this project's machine the same network's
/// test pass took from 5.9 to 11.3 s over five seeds, too loose to say which network is slower. Here the networks
/// classify the same data in rounds, one after the other, so a change of load falls on all of them alike.
/// A forward pass costs the same whatever the weights are, so each round builds the networks fresh from its seed.
/// </summary>
public static class InferenceTiming
{
    /// <summary>
    /// Seconds of one evaluation of <paramref name="data"/> (as <see cref="Evaluator.Evaluate"/> times it) per model
    /// and round: <c>result[model][i]</c> is round i, whose networks are initialised with <paramref name="seeds"/>[i].
    /// Every model first makes one untimed pass (first calls allocate and choose kernels).
    /// </summary>
    public static IReadOnlyDictionary<string, double[]> Measure(IReadOnlyList<string> models, int classes, Dataset data,
        IReadOnlyList<int> seeds, int batchSize = 1000)
    {
        if (models.Count == 0) throw new ArgumentException("name at least one model to time", nameof(models));
        if (seeds.Count == 0) throw new ArgumentException("at least one round (seed) is needed", nameof(seeds));
        var distinct = models.Distinct().ToList();
        var seconds = distinct.ToDictionary(m => m, _ => new double[seeds.Count]);
        foreach (var name in distinct) Time(name, classes, data, seeds[0], batchSize); // warm-up, not counted
        for (int i = 0; i < seeds.Count; i++)
            foreach (var name in distinct)
                seconds[name][i] = Time(name, classes, data, seeds[i], batchSize);
        return seconds;
    }

    static double Time(string name, int classes, Dataset data, int seed, int batchSize)
    {
        manual_seed(seed);
        using var model = ModelZoo.Build(name, classes);
        model.to(Compute.Device);
        return Evaluator.Evaluate(model, data, batchSize: batchSize).Seconds;
    }
}
