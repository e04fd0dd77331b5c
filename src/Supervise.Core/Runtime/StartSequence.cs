namespace Supervise.Runtime;

/// <summary>
/// Starts children one at a time, in order, each fully started (its handshake answered) before the
/// next; on the first failure it stops and reports that child and the cause.
/// </summary>
internal sealed class StartSequence : IStartOperation
{
    private readonly SupervisorActor _owner;
    private readonly IReadOnlyList<ChildRecord> _records;
    private readonly Action _onDone;
    private readonly Action<ChildRecord, Exception> _onFailed;
    private int _index;

    public StartSequence(SupervisorActor owner, IReadOnlyList<ChildRecord> records, Action onDone, Action<ChildRecord, Exception> onFailed)
    {
        _owner = owner;
        _records = records;
        _onDone = onDone;
        _onFailed = onFailed;
    }

    public ChildRecord? Current => _index < _records.Count ? _records[_index] : null;

    public bool Awaits(ChildRecord record) => record == Current && record.Lifecycle == Supervision.ChildLifecycle.Starting;

    public void Next()
    {
        if (_index >= _records.Count)
        {
            _owner.EndStartOperation(this);
            _onDone();
            return;
        }

        var record = _records[_index];
        try
        {
            _owner.Spawn(record, handshake: true);
        }
        catch (Exception e) when (e is not Supervision.LifecycleViolationException)
        {
            Fail(record, e);
        }
    }

    public void OnReady(ChildRecord record)
    {
        if (record != Current)
        {
            return;
        }

        _owner.MarkStarted(record);
        _index++;
        Next();
    }

    public void Fail(ChildRecord record, Exception cause)
    {
        if (record != Current)
        {
            return;
        }

        _owner.AbandonFailedStart(record, cause);
        _owner.EndStartOperation(this);
        _onFailed(record, cause);
    }
}
