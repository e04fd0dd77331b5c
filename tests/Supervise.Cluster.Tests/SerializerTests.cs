using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using Xunit;

namespace Supervise.Cluster.Tests;

/// <summary>Supervise.Cluster's envelopes carry the message inside with the serializer bound to its own type.</summary>
public sealed class SerializerTests
{
    public sealed record Order(string What);

    /// <summary>A user's own serializer for <see cref="Order"/>: writes "order:" and the text, and counts its uses.</summary>
    public sealed class OrderSerializer(ExtendedActorSystem system) : Serializer(system)
    {
        private static int _uses;

        public static int Uses => Volatile.Read(ref _uses);

        public override int Identifier => 4242;

        public override bool IncludeManifest => false;

        public override byte[] ToBinary(object obj)
        {
            Interlocked.Increment(ref _uses);
            return System.Text.Encoding.UTF8.GetBytes("order:" + ((Order)obj).What);
        }

        public override object FromBinary(byte[] bytes, Type type) => new Order(System.Text.Encoding.UTF8.GetString(bytes)["order:".Length..]);
    }

    [Fact]
    public void A_delivery_and_an_entity_envelope_round_trip_with_the_message_written_by_its_own_serializer()
    {
        var config = ConfigurationFactory.ParseString($$"""
            akka.actor.serializers.orders = "{{typeof(OrderSerializer).AssemblyQualifiedName}}"
            akka.actor.serialization-bindings { "{{typeof(Order).AssemblyQualifiedName}}" = orders }
            """).WithFallback(SuperviseClusterConfig.Node());
        using var system = ActorSystem.Create("serializer", config);
        var someone = system.ActorOf(Props.Empty, "someone");
        var uses = OrderSerializer.Uses;

        var delivery = new SingletonDelivery(5, new Order("tea"), someone);
        var back = Assert.IsType<SingletonDelivery>(RoundTrip(system, delivery));
        Assert.Equal((5L, new Order("tea"), someone.Path), (back.Sequence, (Order)back.Message, back.Address.Path));
        Assert.Equal(new EntityEnvelope("7", new Order("cake")), RoundTrip(system, new EntityEnvelope("7", new Order("cake"))));
        Assert.Equal(new EntityEnvelope("8", "plain text"), RoundTrip(system, new EntityEnvelope("8", "plain text")));
        Assert.Equal(uses + 2, OrderSerializer.Uses);
        foreach (var message in new object[] { new SingletonReceived(9), new SingletonReceived(10, Receipt.Accepted), new SingletonReceived(11, Receipt.NotTaken), new SingletonProbe(someone), new SingletonHere("jobs") })
        {
            Assert.Equal(message, RoundTrip(system, message));
        }

        // "Taken" is written as every version reads it (the sequence alone); the other receipts under a manifest of their
        // own, which a node of the version before cannot read (it then waits for its confirm timeout, as it did).
        var serializer = (Akka.Serialization.SerializerWithStringManifest)system.Serialization.FindSerializerForType(typeof(SingletonReceived));
        Assert.Equal(("R", 8), (serializer.Manifest(new SingletonReceived(12)), serializer.ToBinary(new SingletonReceived(12)).Length));
        Assert.Equal("A", serializer.Manifest(new SingletonReceived(12, Receipt.Accepted)));

        // A system configured otherwise gets it registered by Start.
        using var plain = ActorSystem.Create("plain");
        SuperviseClusterSerializer.EnsureRegistered(plain);
        Assert.IsType<SuperviseClusterSerializer>(plain.Serialization.FindSerializerForType(typeof(EntityEnvelope)));
    }

    private static object RoundTrip(ActorSystem system, object message)
    {
        var serializer = Assert.IsType<SuperviseClusterSerializer>(system.Serialization.FindSerializerFor(message));
        return serializer.FromBinary(serializer.ToBinary(message), serializer.Manifest(message));
    }
}
