using Workbook.Runtime;
using Xunit;

namespace Workbook.Tests;

/// <summary>The process-wide native settings of NativeRuntime.</summary>
public class RuntimeTuningTests
{
    [Fact]
    public void OpenMp_threads_wait_passively_unless_the_user_chose_otherwise()
    {
        NativeRuntime.EnsureTorch();
        var policy = NativeRuntime.OpenMpWaitPolicy;
        Assert.False(string.IsNullOrEmpty(policy));
        if (policy.StartsWith("PASSIVE (set by the workbook)", StringComparison.Ordinal))
            Assert.Equal("PASSIVE", Environment.GetEnvironmentVariable("OMP_WAIT_POLICY")); // children inherit it
        else
            Assert.True(policy.Contains("OMP_WAIT_POLICY") || policy.StartsWith("GOMP_SPINCOUNT") || policy.StartsWith("libgomp default"), policy);
        Assert.True(NativeRuntime.MallocTuned);
    }
}
