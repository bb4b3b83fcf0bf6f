using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Workbook.Cli.Publishing;
using Workbook.Reporting;
using Workbook.Training;
using Xunit;

namespace Workbook.Tests;

/// <summary>The published results are this code's: keys, code versions, a bit-for-bit retraining, README's scorecard.</summary>
[Collection(TrainingCollection.Name)]
public class PublishedResultsTests
{
    static string Root => Workbook.Runtime.WorkbookPaths.Root;
    static PublishedResults Repository => new(Path.Combine(Root, "results"));

    [Fact]
    public void Every_published_record_has_the_key_and_code_version_this_code_computes()
    {
        var problems = RecordCheck.Problems(Repository);
        Assert.True(problems.Count == 0, "published records that are not this code's:\n" + string.Join("\n", problems));
    }

    /// <summary>A one-epoch MLP on 300 images, trained and published into a fresh results folder.</summary>
    static (PublishedResults Results, TrainedRun Run, string Path) PublishTinyRun(int seed)
    {
        var results = new PublishedResults(Directory.CreateTempSubdirectory("wb-results").FullName);
        var spec = new TrainSpec { Name = "tiny", Model = "net1", Epochs = 1, Seed = seed };
        var run = Trainer.Train(spec, TestData.Real.Train.Subset(300, seed: seed), test: TestData.Real.Test.Subset(100, seed: seed),
            cache: new RunCache(TestData.TempStore(), results) { Publish = true });
        return (results, run, results.PathOf(run.Key)!);
    }

    [Fact]
    public void An_altered_or_stale_record_is_caught_with_what_to_rerun()
    {
        var (results, _, path) = PublishTinyRun(seed: 1);
        Assert.Empty(RecordCheck.Problems(results));

        var original = File.ReadAllText(path);
        File.WriteAllText(path, Regex.Replace(original, "\"Epochs\": 1,", "\"Epochs\": 2,"));
        var altered = Assert.Single(RecordCheck.Problems(results));
        Assert.Contains("computes key", altered);
        Assert.Contains("--profile paper --publish", altered);

        File.WriteAllText(path, original.Replace($"\"CodeVersion\": {CodeVersion.Trainer},", "\"CodeVersion\": 1,"));
        var stale = Assert.Single(RecordCheck.Problems(results));
        Assert.Contains("code version 1", stale);
    }

    [Fact]
    public void The_quickest_published_cpu_record_retrains_bit_for_bit()
    {
        var data = TestData.Real;
        var records = Repository.RecordFiles().Select(PublishedResults.Read).Where(r => RecordCheck.CanRetrain(r, data)).ToList();
        Assert.True(records.Count > 0, "results/ has no record trained on the CPU on data this code can rebuild");
        var quickest = records.MinBy(r => r.Provenance.WallSeconds)!;
        Assert.True(quickest.Provenance.WallSeconds < 180, $"the quickest record took {quickest.Provenance.WallSeconds:F0} s to train");
        var comparison = RecordCheck.Retrain(quickest, Repository, data);
        Assert.True(comparison.Identical, $"{quickest.Key} ('{quickest.Name}', {quickest.Provenance.Threads} threads): {comparison}");
    }

    [Fact]
    public void A_retrained_record_with_an_altered_number_is_reported_as_different()
    {
        var (results, run, path) = PublishTinyRun(seed: 2);
        var loss = run.History.Epochs[0].TrainLoss.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllText(path, File.ReadAllText(path).Replace(loss, "0.5"));
        var comparison = RecordCheck.Retrain(PublishedResults.Read(path), results, TestData.Real);
        Assert.False(comparison.Identical);
        Assert.Contains(comparison.Differences, d => d.StartsWith("epoch 1 train loss: 0.5 ->"));
    }

    [Fact]
    public void README_scorecard_and_paper_timings_are_what_the_records_give()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        string Section(string name)
        {
            var m = Regex.Match(readme, $"<!-- {name}:begin -->\n(.*?)<!-- {name}:end -->", RegexOptions.Singleline);
            Assert.True(m.Success, $"README has no {name} section");
            return m.Groups[1].Value.TrimEnd();
        }
        var fix = "run `dotnet run --project tools/Workbook -- results --write-readme`";
        Assert.True(Publication.ScorecardMarkdown(Repository.Root).TrimEnd() == Section(Publication.ScorecardSection), "README's scorecard is not the records': " + fix);
        Assert.True(Publication.TimingsMarkdown(Repository.Root).TrimEnd() == Section(Publication.PaperTimingsSection), "README's paper timings are not the records': " + fix);
        // Every claim is either counted in the scorecard's total or named as not judged yet, never both.
        var scorecard = Section(Publication.ScorecardSection);
        int total = int.Parse(Regex.Match(scorecard, @"\| \*\*all\*\* \|.*\| (\d+) \| \|").Groups[1].Value);
        var open = Regex.Matches(Regex.Match(scorecard, "Not judged yet.*").Value, @"C\d{3}-\d+").Select(m => m.Value).ToList();
        Assert.Equal(ClaimRegistry.Default.All.Count, total + open.Count);
        Assert.Equal(open.Count, open.Distinct().Count());
    }

    [Fact]
    public void Every_report_page_quotes_the_published_measurements_and_spreads()
    {
        var pages = Publication.ReportPages(Path.Combine(Root, "papers"));
        Assert.Equal(["000", "001", "002", "003", "004"], pages.Select(p => p.Report));
        foreach (var (report, path) in pages)
        {
            var m = Regex.Match(File.ReadAllText(path), "<!-- measured:begin -->\n(.*?)<!-- measured:end -->", RegexOptions.Singleline);
            Assert.True(m.Success, $"papers/{report}.md has no measured section");
            Assert.True(Publication.MeasurementsMarkdown(Repository.Root, report).TrimEnd() == m.Groups[1].Value.TrimEnd(),
                $"papers/{report}.md does not quote what results/ gives: run `dotnet run --project tools/Workbook -- results --write-readme`");
        }
        // A published report's section carries its claims' spreads; an unpublished one says so.
        Assert.Contains("C000-1 |", Publication.MeasurementsMarkdown(Repository.Root, "000"));
        Assert.Contains(" ± ", Publication.MeasurementsMarkdown(Repository.Root, "000"));
        Assert.StartsWith("_Not published yet", Publication.MeasurementsMarkdown(Repository.Root, "999"));
    }

    /// <summary>
    /// The code each <see cref="CodeVersion"/> covers, fingerprinted without comments and whitespace. When this
    /// fails: if the change can alter any result, bump the version (the published records then have to be made
    /// again); if it cannot, put the new fingerprint here (the bit-for-bit retraining test backs that up).
    /// </summary>
    [Theory]
    [InlineData("Trainer", CodeVersion.Trainer, "852bd10c138acdee")]
    [InlineData("Scratch", CodeVersion.Scratch, "2ce48b258388766e")]
    public void The_code_behind_results_has_not_changed_without_its_version(string name, int version, string expected)
    {
        var files = name == "Trainer" ? TrainerFiles : ScratchFiles;
        var actual = Fingerprint(files);
        Assert.True(actual == expected,
            $"the code behind {name} runs (version {version}: {string.Join(", ", files)}) changed: if results can change, bump " +
            $"CodeVersion.{name} and publish again; if not, set its fingerprint in {nameof(PublishedResultsTests)} to \"{actual}\"");
    }

    static readonly string[] TrainerFiles =
    [
        "lib/Training/Trainer.cs", "lib/Training/Optimizers.cs", "lib/Models/Losses.cs", "lib/Training/TrainSpec.cs",
        "lib/Training/TrainedRunFormat.cs", "lib/Evaluation/Evaluator.cs", "lib/Models/ModelZoo.cs", "lib/Models/Layers.cs",
        "lib/Data/Dataset.cs", "lib/Data/Augment.cs", "lib/Runtime/ConvolutionGuard.cs",
    ];

    static readonly string[] ScratchFiles =
    [
        "lib/Scratch/ScratchNet.cs", "lib/Scratch/ScratchTrainer.cs", "lib/Scratch/ScratchLayers.cs", "lib/Scratch/ScratchLosses.cs",
        "lib/Scratch/ScratchConfig.cs", "lib/Scratch/ScratchCache.cs", "lib/Data/Dataset.cs",
    ];

    static string Fingerprint(IEnumerable<string> files)
    {
        var text = new StringBuilder();
        foreach (var file in files)
        {
            var code = File.ReadLines(Path.Combine(Root, file)).Select(l => Regex.Replace(l, @"//.*$", "")).Select(l => Regex.Replace(l, @"\s+", ""));
            text.Append(file).Append('\n').AppendJoin("", code).Append('\n');
        }
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16].ToLowerInvariant();
    }
}
