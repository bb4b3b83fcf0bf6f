using Workbook.Reporting;
using Workbook.Runtime;
using Workbook.Studies;
using Workbook.Training;

namespace Workbook.Cli.Commands;

/// <summary>
/// <c>workbook ablations [ID...]</c>: trains report 002's experiments (notebook 05's runs) into the run cache
/// without running the notebook, so that the paper profile's long training can be split across processes or
/// machines. The runs are exactly the notebook's (same specs, same data, same keys): the notebook then loads them.
/// </summary>
public static class AblationsCommand
{
    /// <summary>The notebook whose runs these are: published records are filed under its name.</summary>
    public const string Notebook = "05-five-class-cnn-ablations";

    /// <summary>Usage text.</summary>
    public const string Usage =
        "workbook ablations [ID...] [--profile smoke|quick|paper] [--seeds N] [--publish]\n" +
        "    trains report 002's experiments (notebook 05's runs) into runs/ without running the notebook, in the\n" +
        "    order given (default all eleven: E1 ... ResNet+aug), so long paper training can be split across\n" +
        "    processes or machines; the notebook then finds them. --publish (paper only) also files each finished\n" +
        "    run in results/" + Notebook + "/";

    /// <summary>Runs the command.</summary>
    public static int Run(string[] argv)
    {
        var args = new Args(argv, "publish");
        var profileName = Profile.Parse(args.Get("profile") ?? Environment.GetEnvironmentVariable(Profile.EnvironmentVariable));
        int? seedCount = null;
        if (args.Get("seeds") is { } text)
        {
            try { seedCount = Profile.ParseSeeds(text); }
            catch (ArgumentException e) { throw new UsageException($"--seeds {text}: {e.Message}"); }
        }
        bool publish = args.Flag("publish");
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

        RunContext.Override = Notebook; // provenance and the published folder name the notebook these runs belong to
        var cache = new RunCache(RunStore.Default, PublishedResults.Default) { Publish = publish };
        var five = FiveClassStudy.Load(profile);
        Console.WriteLine($"Report 002's experiments {string.Join(", ", chosen.Select(e => e.Id))} under {profile}, " +
                          $"{seeds.Count} seed(s) each, on {Compute.Description}{(publish ? "; publishing into results/" + Notebook : "")}");
        var progress = new Runner.ConsoleReporter(Console.Out, interactive: !Console.IsOutputRedirected);
        var table = new Table("experiment", "seeds", "test accuracy", "from") { Title = "Report 002's experiments" };
        table.Formats["test accuracy"] = "0.0000";
        bool diverged = false;
        foreach (var experiment in chosen)
        {
            var runs = FiveClassStudy.TrainSeeds(experiment, seeds, five, progress.TrainingProgress, cache);
            diverged |= runs.Any(r => r.Diverged);
            table.Add(experiment.Id, seeds.Count, runs.TestAccuracy, string.Join(", ", runs.Select(r => r.Source).Distinct()));
        }
        Console.WriteLine(table.ToText());
        return diverged ? 3 : 0;
    }

    /// <summary>The experiments named by <paramref name="ids"/> (case-insensitive), in that order; all when none is named.</summary>
    public static IReadOnlyList<FiveClassExperiment> Choose(IReadOnlyList<FiveClassExperiment> all, IReadOnlyList<string> ids)
    {
        if (ids.Count == 0) return all;
        return ids.Select(id => all.FirstOrDefault(e => string.Equals(e.Id, id, StringComparison.OrdinalIgnoreCase))
            ?? throw new UsageException($"no experiment '{id}': report 002's are {string.Join(", ", all.Select(e => e.Id))}")).ToList();
    }
}
