namespace Supervise.Runtime;

/// <summary>
/// Stops children by their shutdown specs: one at a time in the given order (static supervisors,
/// reverse start order), or all at once (dynamic supervisors); then runs its continuation. A child that
/// stops by itself before its turn is simply gone.
/// </summary>
internal sealed class StopSequence
{
    private readonly SupervisorActor _owner;
    private readonly List<ChildRecord> _order;
    private readonly HashSet<ChildRecord> _remaining;
    private readonly bool _concurrent;
    private readonly Action _onDone;
    private int _next;
    private bool _done;

    public StopSequence(SupervisorActor owner, IEnumerable<ChildRecord> records, bool concurrent, Action onDone)
    {
        _owner = owner;
        _order = records.Where(r => r.Ref is not null).ToList();
        _remaining = [.. _order];
        _concurrent = concurrent;
        _onDone = onDone;
    }

    public void Begin()
    {
        if (_concurrent)
        {
            _order.ForEach(_owner.RequestStop);
        }
        else
        {
            RequestNext();
        }

        CompleteIfDone();
    }

    /// <summary>A child of this sequence is gone (terminated, or abandoned after its timeout).</summary>
    public void OnGone(ChildRecord record)
    {
        if (!_remaining.Remove(record))
        {
            return;
        }

        if (!_concurrent)
        {
            RequestNext();
        }

        CompleteIfDone();
    }

    /// <summary>Asks the next child still running, skipping those already gone.</summary>
    private void RequestNext()
    {
        for (; _next < _order.Count; _next++)
        {
            var record = _order[_next];
            if (!_remaining.Contains(record))
            {
                continue;
            }

            if (record.Ref is null)
            {
                _remaining.Remove(record);
                continue;
            }

            if (record.Lifecycle != Supervision.ChildLifecycle.Stopping)
            {
                _owner.RequestStop(record);
            }

            return;
        }
    }

    private void CompleteIfDone()
    {
        if (_remaining.Count == 0 && !_done)
        {
            _done = true;
            _owner.EndStopSequence(this);
            _onDone();
        }
    }
}
