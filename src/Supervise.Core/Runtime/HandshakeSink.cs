using System.Collections.Concurrent;
using Akka.Actor;

namespace Supervise.Runtime;

/// <summary>
/// Where the children of a batch start answer their handshake (the sender of each <see cref="Identify"/>). An answer is
/// kept on the child's own thread, and the supervisor is sent one <see cref="HandshakesAnswered"/> for all the answers
/// that arrive before it reads them: a batch of 100,000 children that start at once costs the supervisor a few messages,
/// not 100,000, and nothing of an answer but its parts outlives it.
/// </summary>
/// <remarks>
/// Order is kept: while an answer waits here, a <see cref="HandshakesAnswered"/> is in the supervisor's mailbox ahead of
/// anything the child sends it afterwards, because the flag is cleared before the answers are read.
/// </remarks>
internal sealed class HandshakeSink(IActorRef supervisor, IActorRefProvider provider) : MinimalActorRef
{
    private readonly ConcurrentQueue<HandshakeAnswer> _answers = new();
    private int _told;

    public override ActorPath Path { get; } = supervisor.Path / "$handshakes";

    public override IActorRefProvider Provider => provider;

    /// <summary>Hands every answer kept so far to <paramref name="onAnswer"/> (on the supervisor's thread).</summary>
    public void Drain(Action<HandshakeAnswer> onAnswer)
    {
        Interlocked.Exchange(ref _told, 0); // a full fence before reading: an answer kept from now on tells the supervisor again
        while (_answers.TryDequeue(out var answer))
        {
            onAnswer(answer);
        }
    }

    protected override void TellInternal(object message, IActorRef sender)
    {
        if (message is not ActorIdentity answer)
        {
            supervisor.Tell(message, sender);
            return;
        }

        if (answer.MessageId is not Handshake handshake)
        {
            return;
        }

        _answers.Enqueue(new HandshakeAnswer(handshake.Record, handshake.Number, answer.Subject));
        if (Interlocked.Exchange(ref _told, 1) == 0)
        {
            supervisor.Tell(HandshakesAnswered.Instance, ActorRefs.NoSender);
        }
    }
}

/// <summary>A child's answer to its handshake: which handshake, and the incarnation that answered (null: none did, it was gone).</summary>
internal readonly record struct HandshakeAnswer(ChildRecord Record, int Number, IActorRef? Subject);

/// <summary>Children answered their handshake: the supervisor reads the answers from its <see cref="HandshakeSink"/>.</summary>
internal sealed class HandshakesAnswered
{
    public static readonly HandshakesAnswered Instance = new();

    private HandshakesAnswered()
    {
    }
}
