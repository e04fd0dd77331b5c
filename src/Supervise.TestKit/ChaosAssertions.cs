using System.Globalization;

namespace Supervise.Testing;

/// <summary>
/// Assertions on a <see cref="ChaosReport"/>. Each returns the report, so they chain, and each failure
/// names the fault (its sequence, kind and target), the offending child, and the seed that replays the run.
/// </summary>
public static class ChaosAssertions
{
    /// <summary>Every fault's effect stayed within its supervisor's blast radius: no leak and, unless allowed, no escalation.</summary>
    public static ChaosReport AssertIsolated(this ChaosReport report, bool allowEscalation = false)
    {
        ArgumentNullException.ThrowIfNull(report);
        var bad = report.Faults.FirstOrDefault(f => f.Verdict == IsolationVerdict.Leaked || (f.Verdict == IsolationVerdict.Escalated && !allowEscalation));
        if (bad is not null)
        {
            var count = report.Faults.Count(f => f.Verdict == IsolationVerdict.Leaked || (f.Verdict == IsolationVerdict.Escalated && !allowEscalation));
            var what = bad.Verdict == IsolationVerdict.Escalated
                ? $"made its supervisor give up (escalated past [{string.Join(", ", bad.AllowedBlastRadius)}])"
                : $"restarted {string.Join(", ", bad.Restarted.Except(bad.AllowedBlastRadius))}, outside its blast radius [{string.Join(", ", bad.AllowedBlastRadius)}]";
            Fail(report, $"expected every fault isolated; {count} were not. The first: {Describe(bad.Fault)} {what}");
        }

        return report;
    }

    /// <summary>The tree was still running when the run ended.</summary>
    public static ChaosReport AssertRootSurvived(this ChaosReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (!report.RootSurvived)
        {
            var last = report.Faults.Count > 0 ? report.Faults[^1] : null;
            Fail(report, $"expected the root to survive; {report.EndReason}" + (last is null ? "" : $", after {Describe(last.Fault)}"));
        }

        return report;
    }

    /// <summary>Every fault that stopped its child was followed by the child running again within <paramref name="limit"/>.</summary>
    public static ChaosReport AssertRecoveredWithin(this ChaosReport report, TimeSpan limit)
    {
        ArgumentNullException.ThrowIfNull(report);
        var slow = report.Faults
            .Where(f => f.Fault.Kind is not (FaultKind.Delay or FaultKind.Hang or FaultKind.Drop))
            .FirstOrDefault(f => f.RecoveredAfter is not { } t || t > limit);
        if (slow is not null)
        {
            var took = slow.RecoveredAfter is { } t ? $"took {t.TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture)} ms" : "did not recover";
            Fail(report, $"expected every fault to recover within {limit.TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture)} ms; {Describe(slow.Fault)} {took}");
        }

        return report;
    }

    /// <summary>No message was reported lost during the run (what Buffer policies promise).</summary>
    public static ChaosReport AssertNoMessagesLost(this ChaosReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.MessagesLost > 0)
        {
            var worst = report.MessagesLostByChild.OrderByDescending(c => c.Value).FirstOrDefault();
            Fail(report, $"expected no message lost; {report.MessagesLost} were, {worst.Value} of them sent to {worst.Key}");
        }

        return report;
    }

    private static string Describe(FaultRecord fault) =>
        $"fault {fault.Sequence} ({fault.Kind} on {fault.Target} at {fault.At.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s)";

    private static void Fail(ChaosReport report, string message) =>
        throw new ChaosAssertionException($"{message}. Seed {report.Seed} replays the run (ChaosOptions.Seed = {report.Seed}).", report);
}

/// <summary>A chaos assertion failed; <see cref="Report"/> is the whole report.</summary>
public sealed class ChaosAssertionException : Exception
{
    /// <summary>Creates the failure.</summary>
    public ChaosAssertionException(string message, ChaosReport report)
        : base(message)
    {
        Report = report;
    }

    /// <summary>The report the assertion failed on.</summary>
    public ChaosReport Report { get; }
}

/// <summary>A chaos property failed on one generated case; the message adds the case's report to the property's own message.</summary>
public sealed class ChaosPropertyException : Exception
{
    /// <summary>Creates the failure.</summary>
    public ChaosPropertyException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
