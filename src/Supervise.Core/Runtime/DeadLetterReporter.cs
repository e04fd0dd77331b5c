using Akka.Actor;
using Akka.Dispatch.SysMsg;
using Akka.Event;

namespace Supervise.Runtime;

/// <summary>
/// Reports every dead letter addressed into one tree as a <see cref="MessageDropped"/> event: the
/// messages left in a child's mailbox when its supervisor stopped it, and those sent to a child while it
/// was not running. Supervise's own protocol and Akka's control messages are not reported. It stops
/// when the tree's root does.
/// </summary>
internal sealed class DeadLetterReporter : UntypedActor
{
    private readonly IActorRef _root;
    private readonly string _treeName;
    private readonly TreeRuntime _runtime;
    private readonly IReadOnlyList<string> _rootElements;

    public DeadLetterReporter(IActorRef root, string treeName, TreeRuntime runtime)
    {
        _root = root;
        _treeName = treeName;
        _runtime = runtime;
        _rootElements = root.Path.Elements;
    }

    public static Props Props(IActorRef root, string treeName, TreeRuntime runtime) =>
        Akka.Actor.Props.Create(() => new DeadLetterReporter(root, treeName, runtime));

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(DeadLetter));
        Context.Watch(_root);
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case DeadLetter letter:
                Report(letter);
                break;
            case Terminated terminated when terminated.ActorRef.Equals(_root):
                Context.Stop(Self);
                break;
        }
    }

    private void Report(DeadLetter letter)
    {
        var elements = letter.Recipient.Path.Elements;
        if (elements.Count <= _rootElements.Count
            || !letter.Recipient.Path.Address.Equals(_root.Path.Address)
            || !_rootElements.SequenceEqual(elements.Take(_rootElements.Count), StringComparer.Ordinal)
            || IsControl(letter.Message))
        {
            return;
        }

        var below = elements.Skip(_rootElements.Count).ToList();
        var supervisorPath = string.Join('/', below.Take(below.Count - 1).Prepend(_treeName));
        _runtime.Publish(new MessageDropped(supervisorPath, _runtime.Now, below[^1], letter.Message, "it reached the child when it was not running (a dead letter)"));
    }

    private static bool IsControl(object message) =>
        message is IAutoReceivedMessage or ISystemMessage or Identify or ActorIdentity or Terminated
        || message.GetType().Namespace == typeof(DeadLetterReporter).Namespace
        || message.GetType().Namespace == typeof(Supervise.Chaos.InjectFault).Namespace;
}
