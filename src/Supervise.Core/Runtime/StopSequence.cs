namespace Supervise.Runtime;

/// <summary>
/// Stops children by their shutdown specs: one at a time in the given order (static supervisors,
/// reverse start order), or all at once (dynamic supervisors); then runs its continuation.
/// </summary>
internal sealed class StopSequence
{
    private readonly SupervisorActor _owner;
    private readonly List<ChildRecord> _remaining;
    private readonly bool _concurrent;
    private readonly Action _onDone;

    public StopSequence(SupervisorActor owner, IEnumerable<ChildRecord> records, bool concurrent, Action onDone)
    {
        _owner = owner;
        _remaining = records.Where(r => r.Ref is not null).ToList();
        _concurrent = concurrent;
        _onDone = onDone;
    }

    public void Begin()
    {
        if (_concurrent)
        {
            foreach (var record in _remaining.ToList())
            {
                _owner.RequestStop(record);
            }
        }
        else if (_remaining.Count > 0)
        {
            _owner.RequestStop(_remaining[0]);
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

        if (!_concurrent && _remaining.Count > 0)
        {
            _owner.RequestStop(_remaining[0]);
        }

        CompleteIfDone();
    }

    private void CompleteIfDone()
    {
        if (_remaining.Count == 0)
        {
            _owner.EndStopSequence(this);
            _onDone();
        }
    }
}
