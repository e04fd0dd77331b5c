using Akka.Actor;

namespace Supervise.Cluster.Tests.Support;

/// <summary>A version whose start throws, as a bad release would: what an upgrade's canary must catch.</summary>
internal sealed class CannotStart : ReceiveActor
{
    public CannotStart() => throw new InvalidOperationException("this version cannot start");
}
