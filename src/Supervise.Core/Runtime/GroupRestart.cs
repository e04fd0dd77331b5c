using Akka.Actor;
using Supervise.Supervision;

namespace Supervise.Runtime;

/// <summary>
/// A one-for-all or rest-for-one restart, in OTP's order: the children of the blast radius are stopped in reverse
/// start order (a worker is held, its mailbox kept; a nested supervisor stops its own children by their shutdown
/// specs; a Temporary sibling is stopped by its shutdown spec and removed), then started again in start order, each
/// confirmed started before the next. Workers restart in place, so they keep their reference and queued messages.
/// </summary>
/// <remarks>
/// A child of the radius that crashed on its own while it was being held or restarted is covered by this restart, as
/// OTP flushes such an exit: it is not counted again. A child that fails to start, or crashes once started, has its
/// failure handled after the group, counted (OTP's <c>try_again_restart</c>).
/// </remarks>
internal sealed class GroupRestart : IStartOperation<ChildRecord>
{
    private readonly SupervisorActor _owner;
    private readonly ChildRecord _failed;
    private readonly Exception _cause;
    private readonly IReadOnlyList<ChildRecord> _restart;
    private readonly HashSet<ChildRecord> _remove;
    private readonly List<ChildRecord> _stopOrder;

    /// <summary>The children of the radius not started again yet: Restarting, whatever their own state says.</summary>
    private readonly HashSet<ChildRecord> _unconfirmed;

    /// <summary>The instance each held child had when it was held (by its place in <see cref="_stopOrder"/>): a failure it reports later is covered if it came from that instance. One array for the group, not an object per child.</summary>
    private readonly object?[] _heldInstances;
    private int _stopIndex;
    private int _startIndex = -1;
    private ChildRecord? _stopping;
    private ChildRecord? _starting;

    public GroupRestart(SupervisorActor owner, ChildRecord failed, Exception cause, IReadOnlyList<ChildRecord> restart, IReadOnlyList<ChildRecord> remove, IReadOnlyList<ChildRecord> children)
    {
        _owner = owner;
        _failed = failed;
        _cause = cause;
        _restart = restart;
        _remove = [.. remove];
        _unconfirmed = [.. restart];
        _stopOrder = children.Where(c => _unconfirmed.Contains(c) || _remove.Contains(c)).Reverse().ToList();
        _heldInstances = new object?[_stopOrder.Count];
    }

    /// <summary>The child that failed (the restarts are triggered by it).</summary>
    public ChildRecord Failed => _failed;

    public void Begin() => StopNext();

    /// <summary>Whether <paramref name="record"/> is one of the children this restart has not started again yet.</summary>
    public bool Restarts(ChildRecord record) => _unconfirmed.Contains(record);

    /// <summary>Whether <paramref name="record"/> is the nested supervisor asked to stop its children now.</summary>
    public bool StopsNow(ChildRecord record) => record == _stopping;

    public bool Awaits(ChildRecord record) => record == _starting;

    /// <summary>The child being stopped is gone (a Temporary sibling), or has stopped its children (a nested supervisor), or crashed meanwhile.</summary>
    public void OnGone(ChildRecord record, bool crashed = false)
    {
        if (record != _stopping)
        {
            return;
        }

        _stopping = null;
        if (_remove.Contains(record))
        {
            _owner.RemoveChild(record);
        }
        else if (record.Ref is not null && !crashed)
        {
            Hold(record, _stopIndex - 1);
        }

        StopNext();
    }

    public void OnReady(ChildRecord record)
    {
        if (record != _starting)
        {
            return;
        }

        _starting = null;
        _unconfirmed.Remove(record);
        _owner.ConfirmRestarted(record);
        StartNext();
    }

    /// <summary>The child being started failed: a start failure or a crash once started, handled after the group (counted); or an old failure, covered.</summary>
    public void Fail(ChildRecord record, Exception cause)
    {
        if (record != _starting)
        {
            return;
        }

        if (cause is not ActorInitializationException && !record.IsSuperviseSupervisor && record.Ref is { } child && HeldInstance(record) is { } held && AkkaCell.IsStaleFailure(child, held))
        {
            _owner.CoveredCrash(record, cause);
            return;
        }

        _starting = null;
        _unconfirmed.Remove(record);
        _owner.FailAfterGroup(record, cause);
        StartNext();
    }

    /// <summary>The supervisor stops everything (it gives up, or is asked to stop): what this restart still held is left to that stop.</summary>
    public void Abort() => _unconfirmed.Clear();

    private void Hold(ChildRecord record, int index)
    {
        _heldInstances[index] = AkkaCell.Instance(record.Ref!);
        SupervisorActor.Hold(record);
    }

    /// <summary>The instance <paramref name="record"/> had when this group held it; null if it did not hold it. Looked up only when a failure comes.</summary>
    private object? HeldInstance(ChildRecord record)
    {
        var index = _stopOrder.IndexOf(record);
        return index < 0 ? null : _heldInstances[index];
    }

    private void StopNext()
    {
        while (_stopIndex < _stopOrder.Count)
        {
            var record = _stopOrder[_stopIndex++];
            if (record.Removed)
            {
                continue;
            }

            if (_remove.Contains(record))
            {
                if (record.Ref is null)
                {
                    _owner.RemoveChild(record);
                    continue;
                }

                _stopping = record;
                _owner.RequestStop(record);
                return;
            }

            if (record == _failed || record.Ref is null || record.Lifecycle is ChildLifecycle.Crashed or ChildLifecycle.Held)
            {
                continue; // gone, or suspended by its own failure (its restart balances that), or held already
            }

            if (record.IsSuperviseSupervisor)
            {
                _stopping = record;
                _owner.StopChildrenOf(record);
                return;
            }

            Hold(record, _stopIndex - 1);
        }

        StartNext();
    }

    private void StartNext()
    {
        while (++_startIndex < _restart.Count)
        {
            var record = _restart[_startIndex];
            if (!record.Removed && _owner.RestartForGroup(record, _failed, _cause))
            {
                _starting = record;
                return;
            }

            _unconfirmed.Remove(record);
        }

        _owner.EndGroupRestart(this);
    }
}
