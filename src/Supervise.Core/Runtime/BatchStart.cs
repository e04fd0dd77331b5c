using Supervise.Supervision;

namespace Supervise.Runtime;

/// <summary>
/// Starts a batch of a dynamic supervisor's children at once and waits for every handshake; a child
/// that fails to start is reported on its own and the others are unaffected.
/// </summary>
internal sealed class BatchStart : IStartOperation<ChildRecord>
{
    private readonly SupervisorActor _owner;
    private readonly HashSet<ChildRecord> _waiting = [];
    private readonly Dictionary<ChildRecord, Exception> _failed = [];
    private readonly IReadOnlyList<ChildRecord> _records;
    private readonly Action<IReadOnlyDictionary<ChildRecord, Exception>> _onDone;

    public BatchStart(SupervisorActor owner, IReadOnlyList<ChildRecord> records, Action<IReadOnlyDictionary<ChildRecord, Exception>> onDone)
    {
        _owner = owner;
        _records = records;
        _onDone = onDone;
    }

    public void Begin()
    {
        foreach (var record in _records)
        {
            try
            {
                _owner.Spawn(record, handshake: true);
                _waiting.Add(record);
            }
            catch (Exception e) when (e is not Supervision.LifecycleViolationException)
            {
                _owner.AbandonFailedStart(record, e);
                _failed[record] = e;
            }
        }

        CompleteIfDone();
    }

    public bool Awaits(ChildRecord record) => _waiting.Contains(record);

    public void OnReady(ChildRecord record)
    {
        if (_waiting.Remove(record))
        {
            _owner.MarkStarted(record);
            CompleteIfDone();
        }
    }

    public void Fail(ChildRecord record, Exception cause)
    {
        if (_waiting.Remove(record))
        {
            _owner.AbandonFailedStart(record, cause);
            _failed[record] = cause;
            CompleteIfDone();
        }
    }

    private void CompleteIfDone()
    {
        if (_waiting.Count == 0)
        {
            _owner.EndStartOperation(this);
            _onDone(_failed);
        }
    }
}
