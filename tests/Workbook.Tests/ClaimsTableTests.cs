using Workbook.Reporting;
using Workbook.Runtime;
using Workbook.Statistics;
using Xunit;

namespace Workbook.Tests;

/// <summary>The verdict rule (papers/README.md) as ClaimsTable applies it to seed samples.</summary>
public class ClaimsTableTests
{
    // A registry of test claims: one figure 80 ± 1.5, a "greater" comparison, a two-part criterion, a bound.
    static readonly ClaimRegistry Registry = ClaimRegistry.Parse("""
    {"claims": [
      {"id": "N", "report": "000", "notebook": "t", "claim": "accuracy 80%", "tolerance": "±1.5", "why": "w", "ifNot": "why not",
       "figures": [{"what": "accuracy", "value": 80, "tolerance": 1.5, "unit": "%"}]},
      {"id": "G", "report": "000", "notebook": "t", "claim": "A beats B", "paper": "A > B", "tolerance": "means", "why": "w", "ifNot": "noise",
       "comparisons": [{"what": "A − B", "relation": "Greater", "margin": 0}]},
      {"id": "P", "report": "000", "notebook": "t", "claim": "two parts", "paper": "both", "tolerance": "every seed", "why": "w", "ifNot": "i",
       "parts": [{"what": "first"}, {"what": "second"}]},
      {"id": "B", "report": "000", "notebook": "t", "claim": "no learning", "tolerance": "≤ 11%", "why": "w", "ifNot": "i",
       "figures": [{"what": "lr 3", "value": 9.96, "tolerance": 0, "unit": "%", "atMost": 11, "divergedAgrees": true}]}
    ]}
    """);

    static ClaimsTable Under(ProfileName profile, Action<ClaimsTable> fill)
    {
        var previous = Profile.Override;
        Profile.Override = profile;
        try
        {
            var table = new ClaimsTable("test", "000", Registry);
            fill(table);
            return table;
        }
        finally { Profile.Override = previous; }
    }

    static SeedSample S(params double[] v) => new(v);

    [Fact]
    public void A_figure_is_reproduced_when_it_lies_in_the_seed_interval_widened_by_the_tolerance()
    {
        Verdict V(SeedSample s) => Under(ProfileName.Paper, c => c.Numeric("N", s)).Rows[0].Verdict;
        Assert.Equal(Verdict.Reproduced, V(S(81.4, 82.0, 83.0)));      // 80 within [81.4 - 1.5, ...]
        Assert.Equal(Verdict.Close, V(S(82.0, 82.5, 83.0)));           // within twice the tolerance
        Assert.Equal(Verdict.NotReproduced, V(S(84.0, 84.5, 85.0)));
        // The same mean with a wider spread reaches the report's figure: the interval, not the mean, decides.
        Assert.Equal(Verdict.Reproduced, V(S(81.0, 84.0, 87.0)));
        Assert.Equal(Verdict.NotReproduced, V(S(84.0)));
    }

    [Fact]
    public void Diverged_seeds_are_shown_as_diverged_and_never_reproduce_a_figure()
    {
        var t = Under(ProfileName.Paper, c => c.Numeric("N", S(80.1, double.NaN, 80.3)).Numeric("B", S(double.NaN, 9.9, 85)));
        Assert.Equal(Verdict.Close, t.Rows[0].Verdict);
        Assert.Contains("1 of 3 seeds diverged", t.Rows[0].Measured);
        Assert.DoesNotContain("NaN", t.Rows[0].Measured);
        Assert.Equal(Verdict.Reproduced, t.Rows[1].Verdict); // a bound that a collapsed or diverged run agrees with
        var all = Under(ProfileName.Paper, c => c.Numeric("N", S(double.NaN, double.NaN)));
        Assert.Equal(Verdict.NotReproduced, all.Rows[0].Verdict);
        Assert.Contains("diverged (2 of 2 seeds)", all.Rows[0].Measured);
    }

    [Fact]
    public void A_difference_smaller_than_the_seed_noise_is_not_distinguishable_never_reproduced()
    {
        var t = Under(ProfileName.Paper, c => c
            .Compare("G", (S(98.6, 98.7, 98.8), S(98.5, 98.6, 98.9))));
        Assert.Equal(Verdict.NotDistinguishable, t.Rows[0].Verdict);
        Assert.Contains("likely reason: noise", t.Rows[0].Note);
        var clear = Under(ProfileName.Paper, c => c.Compare("G", (S(90, 91, 92), S(80, 81, 85))));
        Assert.Equal(Verdict.Reproduced, clear.Rows[0].Verdict);
        Assert.Contains("holds in 3 of 3 seeds", clear.Rows[0].Measured);
        var wrong = Under(ProfileName.Paper, c => c.Compare("G", (S(80, 81, 82), S(90, 91, 85))));
        Assert.Equal(Verdict.NotReproduced, wrong.Rows[0].Verdict);
    }

    [Fact]
    public void Criteria_count_the_seeds_they_hold_in()
    {
        Verdict V(bool[] a, bool[] b) => Under(ProfileName.Paper, c => c.Criterion("P", a, b)).Rows[0].Verdict;
        Assert.Equal(Verdict.Reproduced, V([true, true, true], [true, true, true]));
        Assert.Equal(Verdict.Close, V([true, true, false], [true, true, true]));   // one part in most seeds
        Assert.Equal(Verdict.Close, V([true, true, true], [false, false, false])); // half of the parts
        Assert.Equal(Verdict.NotReproduced, V([true, false, false], [false, false, false]));
    }

    [Fact]
    public void Smaller_profiles_do_not_judge_but_show_the_measurement_and_what_the_paper_profile_would_read()
    {
        var t = Under(ProfileName.Quick, c => c.Judge("N", figures: [S(84.0)], note: "measured at epoch 10"));
        var row = Assert.Single(t.Rows);
        Assert.Equal(Verdict.NotJudged, row.Verdict);
        Assert.Equal("accuracy: 84%", row.Measured);
        Assert.Equal("measured at epoch 10; likely reason: why not; on the quick profile this would read \"not reproduced\"; run the paper profile to judge", row.Note);
    }

    [Fact]
    public void The_claim_words_figures_and_tolerance_come_from_the_registry_and_a_wrong_measurement_count_is_a_clear_error()
    {
        var t = Under(ProfileName.Paper, c => c.Numeric("N", S(80)).NotComparable("G", "not measured here"));
        Assert.Equal(("accuracy 80%", "80%", "±1.5"), (t.Rows[0].Claim, t.Rows[0].Paper, t.Rows[0].Tolerance));
        Assert.Equal(Verdict.NotComparable, t.ById["G"].Verdict);
        var e = Assert.Throws<ArgumentException>(() => Under(ProfileName.Paper, c => c.Numeric("N", S(80), S(81))));
        Assert.Contains("claim N has 1 figures in papers/claims.json (accuracy) but 2 were measured", e.Message);
        Assert.Throws<ArgumentException>(() => Under(ProfileName.Paper, c => c.Numeric("N", S(80)).Numeric("N", S(80))));
    }

    [Fact]
    public void An_added_column_appears_beside_the_verdict()
    {
        var t = Under(ProfileName.Quick, c => c.Numeric("N", S(80)).AddColumn("published verdict", r => r.Id == "N" ? "reproduced (paper)" : ""));
        Assert.Contains("published verdict", t.ToHtml());
        Assert.Contains("reproduced (paper)", t.ToText());
    }

    [Fact]
    public void A_fitted_figure_is_shown_but_never_judged()
    {
        // Two figures: 80 (far from the measurement) and 9.96 (a bound the measurement meets).
        var reg = ClaimRegistry.Parse("""
        {"claims": [{"id": "F", "report": "000", "notebook": "t", "claim": "two rates", "tolerance": "±1", "why": "w", "ifNot": "i",
          "figures": [{"what": "lr 1", "value": 80, "tolerance": 1, "unit": "%"}, {"what": "lr 2", "value": 50, "tolerance": 1, "unit": "%"}]}]}
        """);
        ClaimRow Row(Action<ClaimsTable> fill)
        {
            var previous = Profile.Override;
            Profile.Override = ProfileName.Paper;
            try { var t = new ClaimsTable("test", "000", reg); fill(t); return t.Rows[0]; }
            finally { Profile.Override = previous; }
        }
        // Judged normally, the first figure (measured 60, claimed 80) fails it.
        Assert.Equal(Verdict.Close, Row(t => t.Numeric("F", S(60, 60.5), S(50, 50.5))).Verdict);
        // With the first figure fitted, only the second decides: reproduced, and the first is marked.
        var one = Row(t => t.Judge("F", figures: [S(60, 60.5), S(50, 50.5)], fittedFigures: [0]));
        Assert.Equal(Verdict.Reproduced, one.Verdict);
        Assert.Contains("lr 1: 60.25", one.Measured);
        Assert.Contains("(fitted, not a test)", one.Measured);
        // Every figure fitted: the verdict says so, even though both figures match.
        var all = Row(t => t.Fitted("F", [S(80, 80.2), S(50, 50.1)], "fitted factor k = 10"));
        Assert.Equal(Verdict.Fitted, all.Verdict);
        Assert.Equal("fitted, not a test", all.VerdictText);
        Assert.Contains("fitted factor k = 10", all.Measured);
        Assert.DoesNotContain("(fitted, not a test)", all.Measured); // the verdict says it once
        Assert.Throws<ArgumentException>(() => Row(t => t.Judge("F", figures: [S(1), S(2)], fittedFigures: [2])));
    }
}
