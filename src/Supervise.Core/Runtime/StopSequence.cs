namespace Supervise.Runtime;

/// <summary>
/// Stops children by their shutdown specs: one at a time in the given order (static supervisors,
/// reverse start order), or all at once (dynamic supervisors); then runs its continuation. A child that
/// stops by itself before its turn is simply gone.
/// </summary>
internal sealed class StopSequence
{
    private readonly SupervisorActor _owner;
    private readonly List<ChildRecord> _remaining;
    private readonly bool _concurrent;
    private readonly Action _onDone;
    private bool _done;

    public StopSequence(SupervisorActor owner, IEnumerable<ChildRecord> records, bool concurrent, Action onDone)
    {
        _owner = owner;
        _remaining = records.Where(r => r.Ref is not null).ToList();
        _concurrent = concurrent;
        _onDone = onDone;
    }

    public void Begin() => Advance();

    /// <summary>A child of this sequence is gone (terminated, or abandoned after its timeout).</summary>
    public void OnGone(ChildRecord record)
    {
        if (_remaining.Remove(record))
        {
            Advance();
        }
    }

    private void Advance()
    {
        _remaining.RemoveAll(r => r.Ref is null);
        foreach (var record in _concurrent ? _remaining.ToList() : _remaining.Take(1).ToList())
        {
            if (record.State != ChildState.Stopping)
            {
                _owner.RequestStop(record);
            }
        }

        if (_remaining.Count == 0 && !_done)
        {
            _done = true;
            _owner.EndStopSequence(this);
            _onDone();
        }
    }
}
