using Akka.Actor;
using Supervise.Supervision;
using Supervise.Upgrades;

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

        // A dynamic or Temporary child keeps its record (its id, arguments and address) while it is replaced.
        Call(new TerminateChildRequest(record.Id, null, Keep: IsDynamic || record.Spec.Restart == RestartType.Temporary));
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

    /// <summary>The dynamic supervisor's running children, in start order: an upgrade whose template changes version replaces them.</summary>
    private List<string> RunningDynamicChildren() => IsDynamic ? _children.Select(c => c.Id).ToList() : [];

    /// <summary>A dynamic child's old incarnation is gone: it takes the template's shape and is started again from it.</summary>
    private void StartFromTemplate(ReplaceTemplateOp change)
    {
        if (Find(change.ChildId) is not { } record)
        {
            ChangeDone("it had left before its replacement");
            return;
        }

        var defaults = _upgrade!.Undoing ? _spec.DefaultPolicies : _upgrade.Next.DefaultPolicies;
        record.TakeShape(ChildShape.Of(change.Template, defaults));
        if (FailsInjectedUpgrade(record, "its new template"))
        {
            return;
        }

        Call(new StartAgainRequest(record.Id));
    }

    private void TemplateReplaced(ReplaceTemplateOp change)
    {
        if (Find(change.ChildId) is { } running)
        {
            Unhold(running);
        }

        ChangeDone((_upgrade!.Undoing, change.Template.Version) switch
        {
            (true, { } version) => $"restored to template version {version}",
            (true, null) => "restored to its previous template",
            (false, { } version) => $"replaced from template version {version}",
            (false, null) => "replaced from a template without a version",
        });
    }

    /// <summary>Starts a stopped child again from its record (the upgrade's replacement of a dynamic child): as OTP's restart_child.</summary>
    private void StartAgain(string id, IActorRef sender)
    {
        var record = Find(id);
        if (record is null || ChildLifecycleRule.HasIncarnation(record.Lifecycle))
        {
            sender.Tell(record is null ? new RestartChildResult.NotFound(id) : new RestartChildResult.Running(id));
            return;
        }

        if (_dyingNames.Contains(id))
        {
            _waitingForNames.Add(new PendingWork(new StartAgainRequest(id), sender)); // its old incarnation still holds the name
            return;
        }

        StartStopped(record, sender);
    }

    /// <summary>
    /// An injected failing upgrade armed on <paramref name="record"/> (not when undoing): the new version's start throws, as a
    /// bad one would, and the change fails. Returns whether it did.
    /// </summary>
    private bool FailsInjectedUpgrade(ChildRecord record, string what)
    {
        if (_upgrade!.Undoing || record.UpgradeFault is not { } injected)
        {
            return false;
        }

        record.UpgradeFault = null;
        _events.Publish(new ChildStartFailed(_path, _runtime.Now, record.Id, injected));
        ChangeFailed($"{what} failed to start: {injected.Message}");
        return true;
    }

    /// <summary>
    /// A dynamic supervisor's children, and Temporary ones, exist only while they run: one an upgrade left stopped (its start
    /// failed, not rolled back) goes, as OTP forgets them.
    /// </summary>
    private void ForgetStoppedDynamicChildren()
    {
        foreach (var record in _children.Where(c => c.Lifecycle == ChildLifecycle.NotRunning && (IsDynamic || c.Spec.Restart == RestartType.Temporary)).ToList())
        {
            RemoveChild(record);
        }
    }
}
