using Akka.Actor;

namespace Supervise.Runtime;

/// <summary>
/// The children (workers and fallback stand-ins) a supervisor's incarnation saw inside a handler as it ended (its PreRestart), with
/// the message each was handling. One of them may crash on it after that look, as Akka stops it; Akka still hands that failure to
/// the ended incarnation (a failure is not held back while a supervisor waits for its children), which reports the message from
/// here: by then the child may have cleared it, stopping on its own thread. What is left is read once more by the next incarnation
/// (or the ended one's PostStop), once every old child has stopped: a child marked failed that took no message since crashed on it
/// (see docs/concepts/supervision.md). Shared by the incarnations of one supervisor (it lives on their producer); each uses it from
/// that supervisor's thread only.
/// </summary>
internal sealed class CrashHandover
{
    private readonly List<Entry> _entries = [];

    /// <summary>The old incarnation, in its PreRestart: <paramref name="child"/> (known as <paramref name="id"/>) may crash on what it handles now.</summary>
    public void LeaveIfHandling(IActorRef child, string id)
    {
        if (AkkaCell.Handling(child) is var (message, envelope, hasChildren))
        {
            // Looked at again (once it was told to stop): the message it handles now is the one it may crash on.
            var i = _entries.FindIndex(e => e.Child.Equals(child));
            if (i >= 0)
            {
                _entries[i] = new Entry(child, id, message, envelope, hasChildren);
            }
            else
            {
                _entries.Add(new Entry(child, id, message, envelope, hasChildren));
            }
        }
    }

    /// <summary>The ended incarnation was handed <paramref name="child"/>'s failure: the message it was seen handling, if any (taken: reported once).</summary>
    public (string Id, object Message)? TakeFailed(IActorRef child)
    {
        var i = _entries.FindIndex(e => e.Child.Equals(child));
        if (i < 0)
        {
            return null;
        }

        var entry = _entries[i];
        _entries.RemoveAt(i);
        return (entry.Id, entry.Message);
    }

    /// <summary>
    /// Once every old child has stopped: the messages left here that their children crashed on (marked failed, no message taken
    /// since), each once. A child that had children of its own is left out (Akka marks such a child failed as it stops it).
    /// </summary>
    public IReadOnlyList<(string Id, object Message)> TakeCrashed()
    {
        if (_entries.Count == 0)
        {
            return [];
        }

        var crashed = _entries.Where(e => !e.HadChildren && AkkaCell.CrashedOn(e.Child, e.Envelope)).Select(e => (e.Id, e.Message)).ToList();
        _entries.Clear();
        return crashed;
    }

    private readonly record struct Entry(IActorRef Child, string Id, object Message, int Envelope, bool HadChildren);
}
