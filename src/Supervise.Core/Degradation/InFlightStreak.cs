namespace Supervise;

/// <summary>
/// Requeue and quarantine: how many times in a row one message crashed a child, and what becomes of it. Pure:
/// the caller gives the time and puts the message back, sets it aside or reports it dropped as told.
/// </summary>
/// <remarks>
/// "In a row" means the same message again, within the supervisor's period of the last crash it caused (or of
/// the restart that followed, when a backoff delayed it).
/// </remarks>
internal sealed class InFlightStreak
{
    private object? _message;
    private TimeSpan _at;

    /// <summary>Crashes in a row by the current message.</summary>
    public int Crashes { get; private set; }

    /// <summary>
    /// The child crashed on <paramref name="message"/> at <paramref name="now"/>: counts it, and decides.
    /// <paramref name="requeueAfter"/> is the policy's crashes before the message is no longer put back
    /// (<see cref="int.MaxValue"/> for Requeue, 0 when neither policy is set).
    /// </summary>
    public InFlightOutcome Crashed(object message, TimeSpan now, TimeSpan period, TimeSpan restartedAt, int requeueAfter, bool quarantine)
    {
        if (requeueAfter == 0)
        {
            return InFlightOutcome.Drop;
        }

        var since = restartedAt > _at ? restartedAt : _at;
        if (ReferenceEquals(message, _message) && now - since <= period)
        {
            Crashes++;
        }
        else
        {
            _message = message;
            Crashes = 1;
        }

        _at = now;
        if (Crashes >= requeueAfter && quarantine)
        {
            _message = null; // set aside: the next crash starts a new streak (Crashes still tells this one's count)
            return InFlightOutcome.Quarantine;
        }

        return InFlightOutcome.Requeue;
    }

    /// <summary>Forgets the streak (after a quarantine, or a start by hand).</summary>
    public void Reset()
    {
        _message = null;
        Crashes = 0;
    }
}

/// <summary>What becomes of the message a child crashed on.</summary>
internal enum InFlightOutcome
{
    /// <summary>Dropped, and reported.</summary>
    Drop,

    /// <summary>Put back at the front of the child's mailbox.</summary>
    Requeue,

    /// <summary>Set aside with its exception.</summary>
    Quarantine,
}
