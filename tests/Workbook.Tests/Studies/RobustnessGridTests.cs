using Workbook.Reporting;
using Workbook.Runtime;
using Workbook.Statistics;
using Workbook.Studies;
using Xunit;

namespace Workbook.Tests.Studies;

public class RobustnessGridTests
{
    // Synthetic "runs": a setting's measurement is an accuracy, or null when the run diverged.
    sealed record Run(double? Accuracy);

    static readonly ClaimCheck<Run> AboveNinety = new("C-1", r => r.Accuracy is { } a ? a > 0.9 : null);
    static readonly ClaimCheck<Run> AboveEighty = new("C-2", r => r.Accuracy is { } a ? a > 0.8 : null);

    static RobustnessGrid<Run> Grid(List<string>? measured = null) => new(
        [
            new("lr 0.1", () => { measured?.Add("lr 0.1"); return new Run(0.95); }),
            new("lr 0.01", () => { measured?.Add("lr 0.01"); return new Run(0.85); }),
            new("lr 1", () => { measured?.Add("lr 1"); return new Run(null); }),
        ],
        "lr 0.01", "the framework's default rate", [AboveNinety, AboveEighty]);

    [Fact]
    public void Judges_every_claim_under_every_setting_once_in_declared_order()
    {
        var measured = new List<string>();
        var result = Grid(measured).Run();
        Assert.Equal(["lr 0.1", "lr 0.01", "lr 1"], measured);
        Assert.Equal(GridOutcome.Holds, result.Outcome("C-1", "lr 0.1"));
        Assert.Equal(GridOutcome.Fails, result.Outcome("C-1", "lr 0.01"));
        Assert.Equal(GridOutcome.NotMeasurable, result.Outcome("C-1", "lr 1"));
        Assert.Equal(GridOutcome.Fails, result.DefaultOutcome("C-1"));
        Assert.Equal(GridOutcome.Holds, result.DefaultOutcome("C-2"));
        Assert.Equal(1, result.HoldsCount("C-1"));
        Assert.Equal(2, result.HoldsCount("C-2"));
        Assert.Equal("holds under 2 of 3 settings (1 not measurable)", result.Summary("C-2"));
    }

    [Fact]
    public void Renders_claims_by_settings_with_the_default_and_its_reason()
    {
        var table = Grid().Run().ToTable();
        Assert.Equal(["claim", "lr 0.1", "lr 0.01 (default)", "lr 1", "robustness"], table.Columns);
        Assert.Equal(["C-1", "holds", "fails", "not measurable", "holds under 1 of 3 settings (1 not measurable)"], table.Rows[0]);
        Assert.Contains("the framework's default rate", table.Note);
        var text = Grid().Run().ToText();
        Assert.Contains("holds under 2 of 3 settings", text);
    }

    [Fact]
    public void A_default_outside_the_declared_settings_or_without_a_reason_is_refused()
    {
        GridSetting<Run>[] settings = [new("a", () => new Run(1)), new("b", () => new Run(1))];
        var e = Assert.Throws<ArgumentException>(() => new RobustnessGrid<Run>(settings, "c", "why", [AboveNinety]));
        Assert.Contains("'c' is not one of the declared settings (a, b)", e.Message);
        Assert.Throws<ArgumentException>(() => new RobustnessGrid<Run>(settings, "a", " ", [AboveNinety]));
        Assert.Throws<ArgumentException>(() => new RobustnessGrid<Run>([settings[0], settings[0]], "a", "why", [AboveNinety]));
        Assert.Throws<ArgumentException>(() => new RobustnessGrid<Run>(settings, "a", "why", []));
        Assert.Throws<ArgumentException>(() => Grid().Run().HoldsCount("C-9"));
    }

    [Fact]
    public void The_declaration_cannot_change_after_the_grid_is_made()
    {
        var settings = new List<GridSetting<Run>> { new("a", () => new Run(0.95)) };
        var grid = new RobustnessGrid<Run>(settings, "a", "only one", [AboveNinety]);
        settings.Add(new("b", () => new Run(0.5)));
        Assert.Single(grid.Run().Settings);
    }

    [Fact]
    public void A_claims_grid_counts_reproduced_verdicts_and_shows_each_verdict()
    {
        var registry = ClaimRegistry.Parse("""
        {"claims": [{"id": "N", "report": "000", "notebook": "t", "claim": "80%", "tolerance": "±1", "why": "w", "ifNot": "i",
          "figures": [{"what": "accuracy", "value": 80, "tolerance": 1, "unit": "%"}]}]}
        """);
        var previous = Profile.Override;
        Profile.Override = ProfileName.Paper;
        try
        {
            ClaimsTable Measured(params double[] v) => new ClaimsTable("t", "000", registry).Numeric("N", new SeedSample(v));
            var result = ClaimsGrid.Declare(
                [new("k 1", () => Measured(80.2, 80.4)), new("k 10", () => Measured(81.5, 81.6)), new("k 100", () => Measured(60, 61))],
                "k 1", "the report's rates as written", ["N"]).Run();
            Assert.Equal(GridOutcome.Holds, result.Outcome("N", "k 1"));
            Assert.Equal(GridOutcome.Fails, result.Outcome("N", "k 10"));
            Assert.Equal("close", result.Detail("N", "k 10"));
            Assert.Equal(["N", "holds (reproduced)", "fails (close)", "fails (not reproduced)", "holds under 1 of 3 settings"],
                result.ToTable().Rows[0]);
            // A claim the setting's table lacks is an error naming it, not a silent gap.
            var missing = ClaimsGrid.Declare([new("k 1", () => new ClaimsTable("t", "000", registry))], "k 1", "why", ["N"]);
            Assert.Contains("no claim N", Assert.Throws<ArgumentException>(() => missing.Run()).Message);
        }
        finally { Profile.Override = previous; }
    }
}
