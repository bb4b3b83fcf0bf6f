using Workbook.Reporting;
using Workbook.Runtime;
using Xunit;

namespace Workbook.Tests;

/// <summary>Verdicts of the claims table, and where its "likely reason" appears.</summary>
public class ClaimsTableTests
{
    static ClaimsTable Under(ProfileName profile, Action<ClaimsTable> fill)
    {
        var previous = Profile.Override;
        Profile.Override = profile;
        try
        {
            var table = new ClaimsTable("test", "000");
            fill(table);
            return table;
        }
        finally { Profile.Override = previous; }
    }

    [Fact]
    public void Numeric_claims_are_judged_by_their_tolerance_and_give_the_reason_only_when_they_miss()
    {
        var t = Under(ProfileName.Paper, c => c
            .Numeric("a", "within", 80, 81.0, 1.5, "%", ifNot: "why a")
            .Numeric("b", "within twice", 80, 82.5, 1.5, "%", ifNot: "why b")
            .Numeric("c", "outside", 80, 84.0, 1.5, "%", ifNot: "why c")
            .Numeric("d", "diverged", 80, double.NaN, 1.5, "%", ifNot: "why d"));
        Assert.Equal([Verdict.Reproduced, Verdict.Close, Verdict.NotReproduced, Verdict.NotComparable], t.Rows.Select(r => r.Verdict));
        Assert.Equal("", t.Rows[0].Note);
        Assert.Equal("likely reason: why b", t.Rows[1].Note);
        Assert.Equal("likely reason: why c", t.Rows[2].Note);
        Assert.Equal("diverged (non-finite)", t.Rows[3].Measured);
        Assert.Equal("", t.Rows[3].Note);
    }

    [Fact]
    public void A_number_within_tolerance_is_only_close_when_the_rest_of_the_claim_fails()
    {
        var t = Under(ProfileName.Paper, c => c
            .Numeric("a", "E5, the best", 98.6, 98.6, 0.5, "%", note: "E2 beats E5", ifNot: "one seed", partly: true)
            .Numeric("b", "E5, the best", 98.6, 99.5, 0.5, "%", partly: true)
            .Numeric("c", "E5, the best", 98.6, 97.0, 0.5, "%", partly: true)
            .Numeric("d", "E5, the best", 98.6, 98.6, 0.5, "%", partly: false));
        Assert.Equal([Verdict.Close, Verdict.Close, Verdict.NotReproduced, Verdict.Reproduced], t.Rows.Select(r => r.Verdict));
        Assert.Equal("E2 beats E5; likely reason: one seed", t.Rows[0].Note);
    }

    [Fact]
    public void Smaller_profiles_do_not_judge_but_say_what_the_paper_profile_would()
    {
        var t = Under(ProfileName.Quick, c => c
            .Qualitative("q", "holds", "yes", false, "no", "criterion", note: "measured at epoch 10", ifNot: "too few epochs"));
        var row = Assert.Single(t.Rows);
        Assert.Equal(Verdict.NotJudged, row.Verdict);
        Assert.Equal("measured at epoch 10; likely reason: too few epochs; on the quick profile this would read \"not reproduced\"; run the paper profile to judge", row.Note);
    }
}
