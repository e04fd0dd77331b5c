namespace Supervise.Runtime;

/// <summary>
/// What one supervisor's child records share (one object, so that a record carries a single reference for it): the records
/// whose health must be looked at again, and where a crash that waited in line reports the message it was handling when it
/// leaves without being decided (its child stopped, restarted with its group, or its supervisor gone).
/// </summary>
internal sealed class ChildBook(Action<ChildRecord, PendingFailure> undecided, Action<Akka.Actor.IActorRef, bool>? putOff = null)
{
    /// <summary>In virtual time, told when the supervisor puts off acting on a suspended child, and when it acts (see <see cref="SettleBarrier"/>).</summary>
    public Action<Akka.Actor.IActorRef, bool>? PutOff => putOff;

    /// <summary>The records marked for the supervisor's next health pass.</summary>
    public List<ChildRecord> Dirty { get; } = [];

    /// <summary>A crash left its record without a decision: its message in flight must not be lost silently.</summary>
    public void Undecided(ChildRecord record, PendingFailure failure) => undecided(record, failure);
}
