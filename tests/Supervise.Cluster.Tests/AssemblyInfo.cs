using Xunit;

// Each test runs a cluster of three nodes with fast failure detection: run side by side on two cores, their
// heartbeats could be late enough to make a node look unreachable. One at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
