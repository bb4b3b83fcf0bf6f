using System.Text.Json;
using System.Text.Json.Nodes;
using Workbook.Data;
using Workbook.Reporting;
using Workbook.Runtime;
using Workbook.Statistics;
using Workbook.Studies;
using Workbook.Training;

namespace Workbook.Cli.Commands;

/// <summary>
/// <c>workbook ablations [ID...]</c>: trains report 002's experiments (the runs of notebooks 05 and 07) into the run
/// cache without running the notebooks, so that the paper profile's long training can be split across processes or
/// machines. The runs are exactly the notebooks' (same specs, same data, same keys): the notebooks then load them.
/// </summary>
public static class AblationsCommand
{
    /// <summary>Usage text.</summary>
    public const string Usage =
        "workbook ablations [ID...] [--profile smoke|quick|paper] [--seeds N] [--only-seeds S,S...] [--publish] [--status]\n" +
        "    trains report 002's experiments (the runs of notebooks 05 and 07) into runs/ without running them, in the\n" +
        "    order given (default all eleven: E1 ... E7 of notebook 05, GoogLeNet ... ResNet+aug of notebook 07), so\n" +
        "    long paper training can be split across processes or machines; the notebooks then find them.\n" +
        "    --only-seeds 4,3 trains just those of the profile's seeds, in that order (two processes can then share one\n" +
        "    experiment: one trains 0, 1, 2, ..., the other 4, 3; a seed the other has finished is loaded, not retrained);\n" +
        "    --publish (paper only) also files each finished run in results/<its notebook>/;\n" +
        "    --status trains nothing: which seeds of each experiment are published, their training time, what is left";

    /// <summary>Runs the command.</summary>
    public static int Run(string[] argv)
    {
        var args = new Args(argv, "publish", "status");
        var profileName = Profile.Parse(args.Get("profile") ?? Environment.GetEnvironmentVariable(Profile.EnvironmentVariable));
        int? seedCount = null;
        if (args.Get("seeds") is { } text)
        {
            try { seedCount = Profile.ParseSeeds(text); }
            catch (ArgumentException e) { throw new UsageException($"--seeds {text}: {e.Message}"); }
        }
        var onlySeeds = args.Get("only-seeds");
        bool publish = args.Flag("publish"), status = args.Flag("status");
        args.RejectUnknown();
        if (args.Positional.FirstOrDefault(p => p.StartsWith('-')) is { } option) throw new UsageException($"unknown option {option}");
        if (publish && profileName != ProfileName.Paper)
            throw new UsageException("--publish publishes paper-profile results only: add --profile paper");

        Profile.Override = profileName;
        var profile = Profile.Current;
        var all = FiveClassStudy.Experiments(profile);
        var chosen = Choose(all, args.Positional);
        Profile.SeedCountOverride = seedCount;
        var seeds = profile.Seeds(paper: FiveClassStudy.PaperSeeds);
        if (onlySeeds != null)
        {
            if (status) throw new UsageException("--status always lists every seed: leave out --only-seeds");
            seeds = ChooseSeeds(seeds, onlySeeds);
        }
        if (status)
        {
            if (publish) throw new UsageException("--status trains nothing, so it publishes nothing: leave out --publish");
            Console.WriteLine(Status(chosen, seeds, profile, PublishedResults.Default).ToText());
            return 0;
        }

        var cache = new RunCache(RunStore.Default, PublishedResults.Default) { Publish = publish };
        var five = FiveClassStudy.Load(profile);
        Console.WriteLine($"Report 002's experiments {string.Join(", ", chosen.Select(e => e.Id))} under {profile}, " +
                          $"{seeds.Count} seed(s) each, on {Compute.Description}{(publish ? "; publishing into results/" : "")}");
        var progress = new Runner.ConsoleReporter(Console.Out, interactive: !Console.IsOutputRedirected);
        var table = new Table("experiment", "seeds", "test accuracy", "from") { Title = "Report 002's experiments" };
        table.Formats["test accuracy"] = "0.0000";
        bool diverged = false;
        foreach (var experiment in chosen)
        {
            // Provenance and the published folder name the notebook the run belongs to.
            RunContext.Override = experiment.Notebook;
            var runs = FiveClassStudy.TrainSeeds(experiment, seeds, five, progress.TrainingProgress, cache);
            diverged |= runs.Any(r => r.Diverged);
            table.Add(experiment.Id, seeds.Count, runs.TestAccuracy, string.Join(", ", runs.Select(r => r.Source).Distinct()));
        }
        Console.WriteLine(table.ToText());
        return diverged ? 3 : 0;
    }

    /// <summary>
    /// Which of <paramref name="seeds"/> each experiment has in the published results (its spec with that seed,
    /// trained on augmented or plain data as the experiment is, under this profile), their training time, and
    /// an estimate of what the missing seeds would take at the mean time of the published ones.
    /// </summary>
    public static Table Status(IReadOnlyList<FiveClassExperiment> experiments, IReadOnlyList<int> seeds, Profile profile,
        PublishedResults published)
    {
        var records = published.RecordFiles().Select(PublishedResults.Read)
            .Where(r => r.Kind == TrainedRunFormat.KindName && r.Provenance.Profile == profile.ToString()).ToList();
        var table = new Table("experiment", "notebook", "seeds published", "missing", "training time per seed (min)",
            "missing seeds at that time (min)") { Title = $"Published runs of report 002's experiments under {profile} ({seeds.Count} seeds each)" };
        table.Formats["training time per seed (min)"] = table.Formats["missing seeds at that time (min)"] = "0.0";
        foreach (var e in experiments)
        {
            var found = new SortedDictionary<int, RunRecord>();
            foreach (var seed in seeds)
            {
                var spec = JsonSerializer.SerializeToNode(e.Spec.KeyPart with { Seed = seed }, WorkbookJson.Compact);
                var match = records.FirstOrDefault(r => JsonNode.DeepEquals(r.Run["Spec"], spec)
                    && Augmentation.IsAugmented(r.Run["DataIds"]?[0]?.GetValue<string>() ?? "") == e.Augmented);
                if (match != null) found[seed] = match;
            }
            int missing = seeds.Count - found.Count;
            var minutes = found.Count > 0 ? new SeedSample(found.Values.Select(r => r.Provenance.WallSeconds / 60)) : null;
            table.Add(e.Id, e.Notebook, found.Count == 0 ? "none" : string.Join(", ", found.Keys),
                missing == 0 ? "none" : string.Join(", ", seeds.Where(s => !found.ContainsKey(s))),
                (object?)minutes ?? "none yet", missing == 0 ? 0 : minutes != null ? missing * minutes.Mean : double.NaN);
        }
        return table;
    }

    /// <summary>
    /// The seeds listed in <paramref name="text"/> ("4,3"), in that order; each must be one of the profile's
    /// <paramref name="seeds"/> (a seed outside them would publish a run no notebook loads) and listed once.
    /// </summary>
    public static IReadOnlyList<int> ChooseSeeds(IReadOnlyList<int> seeds, string text)
    {
        var chosen = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, out int seed))
                throw new UsageException($"--only-seeds {text}: '{part}' is not a seed; list seeds separated by commas, e.g. --only-seeds 4,3");
            if (!seeds.Contains(seed))
                throw new UsageException($"--only-seeds {text}: seed {seed} is not one of this profile's seeds ({string.Join(", ", seeds)}); " +
                                         "raise --seeds to train more");
            if (chosen.Contains(seed)) throw new UsageException($"--only-seeds {text}: seed {seed} is listed twice");
            chosen.Add(seed);
        }
        return chosen;
    }

    /// <summary>The experiments named by <paramref name="ids"/> (case-insensitive), in that order; all when none is named.</summary>
    public static IReadOnlyList<FiveClassExperiment> Choose(IReadOnlyList<FiveClassExperiment> all, IReadOnlyList<string> ids)
    {
        if (ids.Count == 0) return all;
        return ids.Select(id => all.FirstOrDefault(e => string.Equals(e.Id, id, StringComparison.OrdinalIgnoreCase))
            ?? throw new UsageException($"no experiment '{id}': report 002's are {string.Join(", ", all.Select(e => e.Id))}")).ToList();
    }
}
