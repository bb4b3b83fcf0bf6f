using Workbook.Cli.Publishing;
using Workbook.Data;
using Workbook.Runtime;
using Workbook.Training;

namespace Workbook.Cli.Commands;

/// <summary><c>workbook results</c>: the published results (results/): scorecard, timings, checks, retraining.</summary>
public static class ResultsCommand
{
    /// <summary>Usage.</summary>
    public const string Usage = """
        workbook results [--check] [--retrain KEY|cheapest] [--write-readme]   the published results (results/)
            prints the scorecard and the paper timings of results/;
            --check         every record's key and code version must be this code's (exit 1 otherwise)
            --retrain KEY   train that record again on the CPU and compare every number ('cheapest': the quickest record)
            --write-readme  regenerate README's scorecard and paper timings from results/ (maintainer step)
        """;

    /// <summary>Runs the command.</summary>
    public static int Run(string[] argv)
    {
        var args = new Args(argv, "check", "write-readme");
        bool check = args.Flag("check"), writeReadme = args.Flag("write-readme");
        string? retrain = args.Get("retrain");
        args.RejectUnknown();
        var results = PublishedResults.Default;
        Console.WriteLine($"Published results in {results.Root}: {results.RecordFiles().Count()} run records");
        Console.WriteLine(Publication.ScorecardMarkdown(results.Root));
        Console.WriteLine(Publication.TimingsMarkdown(results.Root));
        int exit = 0;
        if (check)
        {
            var problems = RecordCheck.Problems(results);
            foreach (var p in problems) Console.WriteLine("STALE: " + p);
            Console.WriteLine(problems.Count == 0 ? "check: every record is this code's" : $"check: {problems.Count} records do not match this code");
            if (problems.Count > 0) exit = 1;
        }
        if (retrain != null)
        {
            var data = FashionMnist.Load();
            var records = results.RecordFiles().Select(PublishedResults.Read).Where(r => RecordCheck.CanRetrain(r, data)).ToList();
            var record = retrain == "cheapest"
                ? records.MinBy(r => r.Provenance.WallSeconds) ?? throw new UsageException("no published record can be retrained on this machine")
                : records.FirstOrDefault(r => r.Key == retrain) ?? throw new UsageException($"no retrainable published record has key {retrain}");
            Console.WriteLine($"retraining {record.Key} ('{record.Name}', {record.Provenance.Notebook}, {record.Provenance.WallSeconds:F1} s on {record.Provenance.Machine}, {record.Provenance.Threads} threads)");
            var comparison = RecordCheck.Retrain(record, results, data);
            Console.WriteLine(comparison);
            if (!comparison.Identical) exit = 1;
        }
        if (writeReadme)
            Console.WriteLine(Publication.WriteReadme(results.Root) ? "README.md and papers/NNN.md: scorecard, paper timings and measured figures regenerated" : "README.md or a papers/NNN.md page lacks its generated-section markers");
        return exit;
    }
}
