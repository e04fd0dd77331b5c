using Xunit;

namespace Supervise.Tests.Chaos;

/// <summary>The chaos report's text says what happened: a node's death is told by how its cluster came through, not as an isolated restart.</summary>
public sealed class ReportTextTests
{
    private static readonly RecoveryTimes Recovery = new(2, 0, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(7));

    private static FaultOutcome Outcome(long sequence, string target, FaultKind kind, TimeSpan? recovered) =>
        new(new FaultRecord(sequence, TimeSpan.FromSeconds(sequence), target, kind, TimeSpan.Zero, 0, null), recovered, [], [], IsolationVerdict.Isolated);

    private static ChaosReport Report(params FaultOutcome[] faults) =>
        new(1, TimeSpan.FromSeconds(10), "the journal was replayed", faults.GroupBy(f => f.Fault.Kind).ToDictionary(g => g.Key, g => g.Count()), new Dictionary<string, int>(), 0, 0, 0, 0, true, Recovery, faults)
        {
            Verdicts = new Dictionary<IsolationVerdict, int> { [IsolationVerdict.Isolated] = faults.Count(f => !f.Fault.Kind.IsNodeFault()) },
        };

    [Fact]
    public void A_node_fault_is_told_by_how_its_cluster_came_through_not_counted_as_isolated()
    {
        var text = Report(Outcome(1, "node-a", FaultKind.NodeDeath, TimeSpan.FromSeconds(6.92))).ToText();

        Assert.DoesNotContain("isolation:", text, StringComparison.Ordinal);
        Assert.Contains("  node fault 1: NodeDeath of node-a, the nodes left agreed on the cluster again 6.9 s later", text, StringComparison.Ordinal);
    }

    [Fact]
    public void With_a_childs_fault_beside_it_only_the_childs_is_counted_for_isolation()
    {
        var text = Report(Outcome(1, "shop/a", FaultKind.Crash, TimeSpan.FromMilliseconds(3)), Outcome(2, "node-b", FaultKind.NodePartition, null)).ToText();

        Assert.Contains("  isolation: Isolated 1\n", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("  node fault 2: NodePartition of node-b, the nodes left did not agree on the cluster again within the recovery timeout", text, StringComparison.Ordinal);
    }
}
