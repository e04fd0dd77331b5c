using Akka.Actor;

namespace Supervise.Runtime;

/// <summary>
/// Compares the references a supervisor keeps by identity (every reference it looks up is the instance ActorOf
/// returned), hashed by the actor's uid: Akka's own reference hash walks the whole path, and an identity hash is
/// made on first use at a cost that showed in profiles of starting 100,000 children.
/// </summary>
internal sealed class ChildRefComparer : IEqualityComparer<IActorRef>
{
    public static readonly ChildRefComparer Instance = new();

    public bool Equals(IActorRef? x, IActorRef? y) => ReferenceEquals(x, y);

    public int GetHashCode(IActorRef obj) => (int)obj.Path.Uid;
}
