using Akka.Actor;

namespace Supervise.Runtime;

/// <summary>
/// What a supervisor's incarnation leaves its next one as it restarts: the children (workers and fallback stand-ins) that were
/// inside a handler when it last looked. One of them may crash on that message after the look, as Akka stops it; Akka then drops
/// the report (the supervisor has new children by the time it reads it) and clears the message with the stopped child. The next
/// incarnation starts once every old child has stopped, and reports each message a child crashed on (see docs/concepts/supervision.md).
/// Shared by the incarnations of one supervisor (it lives on their producer); each is used from that supervisor's thread only.
/// </summary>
internal sealed class CrashHandover
{
    private readonly List<Entry> _entries = [];

    /// <summary>The old incarnation, in its PreRestart: <paramref name="child"/> (known as <paramref name="id"/>) may crash on what it handles now.</summary>
    public void LeaveIfHandling(IActorRef child, string id)
    {
        if (AkkaCell.Handling(child) is var (message, envelope))
        {
            _entries.Add(new Entry(child, id, message, envelope));
        }
    }

    /// <summary>The old incarnation reported the message <paramref name="child"/> failed on itself (Akka handed it the failure as it stopped the child).</summary>
    public void Forget(IActorRef child) => _entries.RemoveAll(e => ReferenceEquals(e.Child, child) || e.Child.Equals(child));

    /// <summary>The new incarnation, as it starts (every old child stopped): the messages its old children crashed on, each once.</summary>
    public IReadOnlyList<(string Id, object Message)> TakeCrashed()
    {
        if (_entries.Count == 0)
        {
            return [];
        }

        var crashed = _entries.Where(e => AkkaCell.CrashedOn(e.Child, e.Envelope)).Select(e => (e.Id, e.Message)).ToList();
        _entries.Clear();
        return crashed;
    }

    private readonly record struct Entry(IActorRef Child, string Id, object Message, int Envelope);
}
