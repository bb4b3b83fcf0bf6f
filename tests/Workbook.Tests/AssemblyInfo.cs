using Xunit;

// Test classes train models and start `workbook run` processes. Run in parallel on a 2-core machine,
// libtorch's OpenMP threads of one test spin while another test's threads hold the cores, which
// makes everything many times slower; one class at a time is faster overall.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
