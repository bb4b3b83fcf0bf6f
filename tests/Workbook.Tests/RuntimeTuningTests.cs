using Workbook.Runtime;
using Xunit;

namespace Workbook.Tests;

/// <summary>The process-wide native settings of NativeRuntime.</summary>
public class RuntimeTuningTests
{
    [Fact]
    public void The_OpenMp_wait_policy_is_the_users_or_libgomps_default_and_malloc_is_tuned()
    {
        NativeRuntime.EnsureTorch();
        var policy = NativeRuntime.OpenMpWaitPolicy;
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is { Length: > 0 } p)
            Assert.Equal($"{p} (OMP_WAIT_POLICY)", policy);
        else if (Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is null)
            Assert.Equal("libgomp default (spin)", policy);
        Assert.True(NativeRuntime.MallocTuned);
    }
}
