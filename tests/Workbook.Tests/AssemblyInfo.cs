using Xunit;

// Test classes train models and start `workbook run` processes. Run in parallel on a 2-core machine,
// libtorch's OpenMP threads of one test spin while another test's threads hold the cores, which
// makes everything many times slower; one class at a time is faster overall.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

// Every test's memory is watched: the heavy ones are logged, and a runaway stops the run naming its test.
[assembly: Workbook.Tests.MemoryGuard]
