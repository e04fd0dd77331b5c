using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Dispatch;
using Akka.Dispatch.SysMsg;

namespace Supervise.Runtime;

/// <summary>
/// The one place that reaches past Akka.NET's public surface: putting a message back in front of a suspended child's
/// mailbox, the instance a cell holds, and telling an old incarnation's failure from a new one's (a private field,
/// read by reflection). Suspend, resume and restart in place are <see cref="IInternalActorRef"/>'s own calls, and the
/// message a crashed child was handling is its cell's public <see cref="ActorCell.CurrentMessage"/>.
/// </summary>
internal static class AkkaCell
{
    /// <summary>A cell's "failed" mark: set when its actor throws, cleared when it is resumed or recreated (private in Akka.NET 1.5).</summary>
    private static readonly Func<ActorCell, bool>? FailedMark = CompileFailedMark();

    /// <summary>A cell's current actor instance (internal in Akka.NET 1.5).</summary>
    private static readonly Func<ActorCell, object?>? CurrentInstance = CompileInstance();

    private static ActorCell? Of(IActorRef child) => child is ActorRefWithCell { Underlying: ActorCell cell } ? cell : null;

    /// <summary>The user message a failed child was handling (its cell's current message), and its sender; null for a system or auto-received message, or none.</summary>
    public static (object Message, IActorRef? Sender)? InFlight(IActorRef child) =>
        Of(child) is { CurrentMessage: { } message } cell && message is not IAutoReceivedMessage and not ISystemMessage ? (message, cell.Sender) : null;

    /// <summary>Whether <paramref name="actor"/> has messages waiting, user or system (false when it is not a local actor).</summary>
    public static bool HasMail(IActorRef actor) =>
        Of(actor) is { } cell && (cell.NumberOfMessages > 0 || SystemMail is not { } system || cell.Mailbox is not { } mailbox || system(mailbox));

    /// <summary>
    /// Whether an actor below <paramref name="actor"/> (not it) is inside a handler and has not failed: an actor that is being
    /// stopped ends only after its children, so its end waits for that handler.
    /// </summary>
    public static bool HandlingBelow(IActorRef actor)
    {
        if (Of(actor) is not { } cell)
        {
            return false;
        }

        foreach (var child in cell.ChildrenContainer.Children)
        {
            if (Of(child) is { IsTerminated: false } below && ((below.CurrentMessage is not null && !HasFailed(child)) || HandlingBelow(child)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="actor"/> is inside a handler now (Akka clears a cell's current message once a handler returns).</summary>
    public static bool InHandler(IActorRef actor) => Of(actor) is { CurrentMessage: not null };

    /// <summary>
    /// Whether <paramref name="child"/>, suspended, takes no message any more: its mailbox has handled the suspension, so the
    /// message it was inside (if any) is over, or it failed on it and Akka holds it. True when it is not a local actor, or when
    /// Akka.NET does not say (another version).
    /// </summary>
    public static bool IsStill(IActorRef child) =>
        Of(child) is not { } cell || cell.IsTerminated || MailboxSuspended is not { } suspended || cell.Mailbox is not { } mailbox
        || (suspended(mailbox) && (cell.CurrentMessage is null || HasFailed(child)));

    /// <summary>Whether <paramref name="actor"/> is neither handling a message nor has any waiting (false when it is not a local actor).</summary>
    public static bool IsIdle(IActorRef actor) => Of(actor) is { CurrentMessage: null } && !HasMail(actor);

    /// <summary>The parent of a local actor; null otherwise.</summary>
    public static IActorRef? ParentOf(IActorRef actor) => Of(actor)?.Parent;

    /// <summary>Whether <paramref name="actor"/> has terminated (its death may not have been handled by its watchers yet).</summary>
    public static bool IsTerminated(IActorRef actor) => Of(actor) is { IsTerminated: true };

    /// <summary>Whether <paramref name="child"/> threw and has not been resumed or restarted since (false when Akka.NET does not say).</summary>
    public static bool HasFailed(IActorRef child) => Of(child) is { } cell && FailedMark is { } failed && failed(cell);

    /// <summary>Which instance (incarnation) the child's cell holds, as a number, if it has failed; 0 when it has not, or when Akka.NET does not say.</summary>
    public static int FailedInstanceId(IActorRef child) =>
        Of(child) is { } cell && FailedMark is { } failed && failed(cell) && CurrentInstance?.Invoke(cell) is { } instance ? RuntimeHelpers.GetHashCode(instance) : 0;

    /// <summary>
    /// The message <paramref name="child"/> failed on, if it has failed in an incarnation other than <paramref name="seenInstance"/>
    /// (the one whose failure its supervisor saw), else null. Read from the supervisor's thread while the child is suspended:
    /// the instance is read before and after, so a child recreated meanwhile is not taken for a failed one.
    /// </summary>
    public static object? UnseenFailure(IActorRef child, int seenInstance)
    {
        if (Of(child) is not { } cell || FailedMark is null || CurrentInstance is null || CurrentInstance(cell) is not { } before
            || RuntimeHelpers.GetHashCode(before) == seenInstance)
        {
            return null;
        }

        Interlocked.MemoryBarrier();
        if (!FailedMark(cell) || InFlight(child) is not var (message, _))
        {
            return null;
        }

        Interlocked.MemoryBarrier();
        return ReferenceEquals(CurrentInstance(cell), before) && FailedMark(cell) ? message : null;
    }

    /// <summary>
    /// The user message a child is inside a handler for now (or failed on), which of its messages that is (its cell's envelope
    /// count), and whether it has children of its own (its stop marks it failed too); null when it handles none.
    /// </summary>
    public static (object Message, int Envelope, bool HasChildren)? Handling(IActorRef child)
    {
        if (Of(child) is not { } cell)
        {
            return null;
        }

        var envelope = cell.CurrentEnvelopeId;
        Interlocked.MemoryBarrier();
        if (InFlight(child) is not var (message, _))
        {
            return null;
        }

        Interlocked.MemoryBarrier();
        return cell.CurrentEnvelopeId == envelope ? (message, envelope, cell.ChildrenContainer.Children.Count > 0) : null;
    }

    /// <summary>
    /// Whether a child seen inside the handler of message number <paramref name="envelope"/> (see <see cref="Handling"/>) failed on
    /// it: it is marked failed and took no message since. Read once the child has stopped (Akka has cleared its message by then).
    /// </summary>
    public static bool CrashedOn(IActorRef child, int envelope) =>
        Of(child) is { } cell && FailedMark is { } failed && failed(cell) && cell.CurrentEnvelopeId == envelope;

    /// <summary>Whether <paramref name="child"/> is a Supervise supervisor (its messages are the runtime's own, never a user's).</summary>
    public static bool IsSupervisor(IActorRef child) => Of(child) is { } cell && cell.Props.Type == typeof(SupervisorActor);

    /// <summary>The instance the child's cell holds now (an old incarnation until a restart has recreated it).</summary>
    public static object? Instance(IActorRef child) => Of(child) is { } cell && CurrentInstance is { } read ? read(cell) : null;

    /// <summary>
    /// Whether a failure of <paramref name="child"/> being handled now comes from an incarnation older than the one that
    /// replaced <paramref name="heldInstance"/>: that incarnation was being restarted already, so the failure is covered.
    /// Read in this order: if the instance is still the held one (or none), nothing newer exists to have failed; once a
    /// newer one exists, Akka cleared the failed mark before making it, so a mark set now is the newer one's.
    /// </summary>
    public static bool IsStaleFailure(IActorRef child, object? heldInstance)
    {
        if (Of(child) is not { } cell || FailedMark is null || CurrentInstance is null)
        {
            return false;
        }

        var instance = CurrentInstance(cell);
        if (instance is null || ReferenceEquals(instance, heldInstance))
        {
            return true;
        }

        Interlocked.MemoryBarrier();
        return !FailedMark(cell);
    }

    /// <summary>Puts <paramref name="message"/> back in front of a suspended child's mailbox, if its queue takes that (a deque mailbox).</summary>
    public static bool RequeueFront(IActorRef child, object message, IActorRef sender)
    {
        if (Of(child) is not { Mailbox.MessageQueue: IDequeBasedMessageQueueSemantics deque })
        {
            return false;
        }

        deque.EnqueueFirst(new Envelope(message, sender));
        return true;
    }

    private static Func<ActorCell, object?>? CompileInstance()
    {
        var property = typeof(ActorCell).GetProperty("Actor", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
        if (property is null)
        {
            return null;
        }

        var cell = Expression.Parameter(typeof(ActorCell));
        return Expression.Lambda<Func<ActorCell, object?>>(Expression.Convert(Expression.Property(cell, property), typeof(object)), cell).Compile();
    }

    /// <summary>Whether a mailbox is suspended (its status, set by its own actor's thread as it handles a suspension).</summary>
    private static readonly Func<Mailbox, bool>? MailboxSuspended = CompileMailboxSuspended();

    private static Func<Mailbox, bool>? CompileMailboxSuspended()
    {
        var method = typeof(Mailbox).GetMethod("IsSuspended", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, Type.EmptyTypes);
        if (method is null || method.ReturnType != typeof(bool))
        {
            return null;
        }

        var mailbox = Expression.Parameter(typeof(Mailbox));
        return Expression.Lambda<Func<Mailbox, bool>>(Expression.Call(mailbox, method), mailbox).Compile();
    }

    /// <summary>Whether a mailbox holds system messages (internal in Akka.NET 1.5); null on another version, where any actor is taken to have mail.</summary>
    private static readonly Func<Mailbox, bool>? SystemMail = CompileSystemMail();

    private static Func<Mailbox, bool>? CompileSystemMail()
    {
        var property = typeof(Mailbox).GetProperty("HasSystemMessages", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
        if (property is null || property.PropertyType != typeof(bool))
        {
            return null;
        }

        var mailbox = Expression.Parameter(typeof(Mailbox));
        return Expression.Lambda<Func<Mailbox, bool>>(Expression.Property(mailbox, property), mailbox).Compile();
    }

    private static Func<ActorCell, bool>? CompileFailedMark()
    {
        var field = typeof(ActorCell).GetField("_failed_DoNotUseMeDirectly", BindingFlags.Instance | BindingFlags.NonPublic);
        if (field is null)
        {
            return null; // another Akka.NET version: failures are never taken as stale (each counts, as before)
        }

        var cell = Expression.Parameter(typeof(ActorCell));
        return Expression.Lambda<Func<ActorCell, bool>>(Expression.NotEqual(Expression.Field(cell, field), Expression.Constant(null, field.FieldType)), cell).Compile();
    }
}
