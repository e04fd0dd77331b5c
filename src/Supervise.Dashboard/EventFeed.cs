using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Akka.Actor;

namespace Supervise.Dashboard;

/// <summary>One supervision event as the feed sends it.</summary>
internal sealed record EventView(string Kind, string Tree, string Supervisor, string? Child, DateTimeOffset Time, string Detail);

/// <summary>Which events a client of the feed wants: by tree, by path (a supervisor's or a child's, and below), by kind.</summary>
internal sealed record FeedFilter(string? Tree, string? Path, string? Kind)
{
    public override string ToString() =>
        string.IsNullOrEmpty(Tree) && string.IsNullOrEmpty(Path) && string.IsNullOrEmpty(Kind)
            ? "every event"
            : "events" + (string.IsNullOrEmpty(Tree) ? "" : $" of tree {Tree}") + (string.IsNullOrEmpty(Path) ? "" : $" at or below {Path}") + (string.IsNullOrEmpty(Kind) ? "" : $" of a kind containing '{Kind}'");

    public bool Admits(EventView e) =>
        (string.IsNullOrEmpty(Tree) || e.Tree == Tree)
        && (string.IsNullOrEmpty(Path) || Within(e.Child is null ? e.Supervisor : e.Supervisor + "/" + e.Child, Path))
        && (string.IsNullOrEmpty(Kind) || e.Kind.Contains(Kind, StringComparison.OrdinalIgnoreCase));

    private static bool Within(string path, string prefix) =>
        path.StartsWith(prefix, StringComparison.Ordinal) && (path.Length == prefix.Length || path[prefix.Length] == '/');
}

/// <summary>
/// Supervision events for one client of the feed, as they are published: an actor subscribed to the actor system's event
/// stream writes them into a bounded queue. A client too slow to keep up loses the oldest ones, and is told how many.
/// </summary>
internal static class EventFeed
{
    /// <summary>Events held for a slow client before the oldest are dropped.</summary>
    public const int Capacity = 1_000;

    /// <summary>The events for one client, as they are published; the feed's own notes stamped by <paramref name="time"/>.</summary>
    public static async IAsyncEnumerable<EventView> ReadAsync(ActorSystem system, FeedFilter filter, TimeProvider time, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var dropped = 0L;
        var channel = Channel.CreateBounded<EventView>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true }, _ => Interlocked.Increment(ref dropped));
        var listener = system.ActorOf(Props.Create(() => new Listener(channel.Writer, filter)));
        try
        {
            // At once: the response starts (a client sees it connected), and says what it follows.
            yield return new EventView("FeedStarted", filter.Tree ?? "", "", null, time.GetUtcNow(), $"following {filter}");

            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (Interlocked.Exchange(ref dropped, 0) is var lost and > 0)
                {
                    yield return new EventView("FeedDropped", "", "", null, time.GetUtcNow(), $"{lost} events were dropped: this client did not keep up (the feed holds {Capacity})");
                }

                while (channel.Reader.TryRead(out var e))
                {
                    yield return e;
                }
            }
        }
        finally
        {
            system.Stop(listener);
        }
    }

    /// <summary>An event as the feed sends it: its kind, where, when, and its other fields as text (exceptions as type and message, cut).</summary>
    public static EventView View(SupervisionEvent e)
    {
        var child = e switch { ChildEvent c => c.ChildId, HealthChanged h => h.ChildId, _ => null };
        var details = Fields.GetOrAdd(e.GetType(), FieldsOf).Select(p => $"{p.Name}: {Show(p.GetValue(e))}");
        var slash = e.SupervisorPath.IndexOf('/', StringComparison.Ordinal);
        return new EventView(e.GetType().Name, slash < 0 ? e.SupervisorPath : e.SupervisorPath[..slash], e.SupervisorPath, child, e.Timestamp, TreeViews.Cut(string.Join("; ", details), 600));
    }

    /// <summary>Each event type's fields shown as its detail (looked up once a type: every client sees every event).</summary>
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Fields = new();

    private static PropertyInfo[] FieldsOf(Type type) => type.GetProperties(BindingFlags.Instance | BindingFlags.Public)
        .Where(p => p.Name is not (nameof(SupervisionEvent.SupervisorPath) or nameof(SupervisionEvent.Timestamp) or "ChildId" or "ChildPath") && p.GetIndexParameters().Length == 0)
        .ToArray();

    private static string Show(object? value) => value switch
    {
        null => "none",
        Exception error => TreeViews.Failure(error)!,
        FaultRecord fault => fault.Skipped is { } why ? $"#{fault.Sequence} {fault.Kind} skipped: {why}" : $"#{fault.Sequence} {fault.Kind} on {fault.Target}",
        ChaosReport report => $"{report.Faults.Count} faults in {report.Elapsed.TotalSeconds:0.###} s, ended: {report.EndReason}",
        IActorRef actor => actor.Path.ToString(),
        string text => TreeViews.Cut(text, 200),
        System.Collections.IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Take(20).Select(Show)) + "]",
        _ => TreeViews.Cut(value.ToString() ?? "", 200),
    };

    private sealed class Listener : ReceiveActor
    {
        public Listener(ChannelWriter<EventView> writer, FeedFilter filter)
        {
            Receive<SupervisionEvent>(e =>
            {
                var view = View(e);
                if (filter.Admits(view))
                {
                    writer.TryWrite(view);
                }
            });
        }

        protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(SupervisionEvent));

        protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
    }
}
