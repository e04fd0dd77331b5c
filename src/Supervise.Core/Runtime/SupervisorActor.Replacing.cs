using Akka.Actor;
using Supervise.Supervision;

namespace Supervise.Runtime;

/// <summary>
/// Messages across a live upgrade's replacement of a worker, as they survive a restart: from the moment the replacement
/// begins, the child's stable address holds what is sent (<see cref="ChildRecord.HeldForUpgrade"/>, <see cref="RouteRule"/>);
/// the old incarnation is stopped by its shutdown, which lets it handle what it was sent before (a graceful stop goes behind
/// its queued messages); what was held goes, in order, to whichever incarnation runs when the replacement is over: the new
/// one, or the previous spec's again after a rollback. Nothing is lost silently: past the capacity, or when the child does
/// not run again, what is held is dropped and reported.
/// </summary>
internal sealed partial class SupervisorActor
{
    /// <summary>Begins replacing <paramref name="record"/>: its address holds from now on, and its old incarnation is stopped.</summary>
    private void BeginReplacement(Upgrade upgrade, ChildRecord record)
    {
        upgrade.Positions[record.Id] = _children.IndexOf(record);
        if (record.Address is not null && HoldFor(record, upgrade.Options) is { } hold)
        {
            record.HeldForUpgrade = hold;
            PointAddress(record);
        }

        Call(new TerminateChildRequest(record.Id, null));
    }

    /// <summary>How the address of a replaced child holds: by its own buffer policy, else by the upgrade's capacity; null if nothing is held.</summary>
    private static BufferPolicy? HoldFor(ChildRecord record, UpgradeOptions options) =>
        record.Policies.Buffer ?? (options.BufferWhileReplaced > 0 ? new BufferPolicy(options.BufferWhileReplaced) : null);

    /// <summary>The replacement of <paramref name="record"/> is over: what its address held goes where it points now.</summary>
    private void Unhold(ChildRecord record)
    {
        if (record.HeldForUpgrade is not null)
        {
            record.HeldForUpgrade = null;
            PointAddress(record);
        }
    }

    /// <summary>The upgrade is over: every address still holding lets go (to its child if it runs, else dropped and reported).</summary>
    private void UnholdAll()
    {
        foreach (var record in _children)
        {
            Unhold(record);
        }
    }
}
