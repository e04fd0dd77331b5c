using Akka.Actor;

namespace Supervise;

/// <summary>A message set aside by a <see cref="QuarantinePolicy"/>, with what is needed to look into it or send it again.</summary>
/// <param name="ChildId">The child it crashed.</param>
/// <param name="Message">The message.</param>
/// <param name="Sender">Who sent it (<see cref="ActorRefs.NoSender"/> if nobody).</param>
/// <param name="Error">The exception of its last crash.</param>
/// <param name="Crashes">Crashes in a row it caused.</param>
/// <param name="Timestamp">When it was set aside.</param>
public sealed record QuarantinedMessage(string ChildId, object Message, IActorRef Sender, Exception Error, int Crashes, DateTimeOffset Timestamp);
