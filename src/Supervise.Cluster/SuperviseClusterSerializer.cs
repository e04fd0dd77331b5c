using Akka.Actor;
using Akka.Serialization;

namespace Supervise.Cluster;

/// <summary>
/// Serializes Supervise.Cluster's envelopes (a singleton address's deliveries, probes and confirmations,
/// and <see cref="EntityEnvelope"/>) so that the message inside travels with the serializer bound to its
/// own type (protobuf, Hyperion, JSON, ...), as it would without the envelope.
/// Registered by <see cref="SuperviseClusterConfig.Node"/>, and by <see cref="SupervisedSingleton.Start"/>
/// and <see cref="SupervisedSharding.Start"/> on a system configured otherwise.
/// </summary>
public sealed class SuperviseClusterSerializer : SerializerWithStringManifest
{
    /// <summary>The serializer's id, the same on every node.</summary>
    public const int Id = 7310;

    /// <summary>The name it is registered under in <c>akka.actor.serializers</c>.</summary>
    public const string Name = "supervise-cluster";

    private const string Delivery = "D";
    private const string Received = "R"; // taken: the sequence alone, as every version reads it
    private const string Accepted = "A"; // accepted or not taken: a manifest of its own, which an older node cannot read (it then waits for its timeout)
    private const string Probe = "P";
    private const string Here = "H";
    private const string Entity = "E";

    /// <summary>Creates the serializer for <paramref name="system"/>.</summary>
    public SuperviseClusterSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    /// <inheritdoc/>
    public override int Identifier => Id;

    /// <summary>The types it serializes.</summary>
    internal static IReadOnlyList<Type> Types { get; } = [typeof(SingletonDelivery), typeof(SingletonReceived), typeof(SingletonProbe), typeof(SingletonHere), typeof(EntityEnvelope)];

    /// <summary>Registers it on <paramref name="system"/> unless its configuration already binds it.</summary>
    internal static void EnsureRegistered(ActorSystem system)
    {
        var serialization = system.Serialization;
        if (serialization.FindSerializerForType(typeof(SingletonDelivery)) is SuperviseClusterSerializer)
        {
            return;
        }

        var serializer = new SuperviseClusterSerializer((ExtendedActorSystem)system);
        serialization.AddSerializer(Name, serializer);
        foreach (var type in Types)
        {
            serialization.AddSerializationMap(type, serializer);
        }
    }

    /// <inheritdoc/>
    public override string Manifest(object o) => o switch
    {
        SingletonDelivery => Delivery,
        SingletonReceived { Stage: Receipt.Taken } => Received,
        SingletonReceived => Accepted,
        SingletonProbe => Probe,
        SingletonHere => Here,
        EntityEnvelope => Entity,
        _ => throw new ArgumentException($"{nameof(SuperviseClusterSerializer)} serializes Supervise.Cluster's envelopes; received {o?.GetType().FullName ?? "null"}.", nameof(o)),
    };

    /// <inheritdoc/>
    public override byte[] ToBinary(object obj)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
        {
            switch (obj)
            {
                case SingletonDelivery d:
                    writer.Write(d.Sequence);
                    writer.Write(Akka.Serialization.Serialization.SerializedActorPath(d.Address));
                    WritePayload(writer, d.Message);
                    break;
                case SingletonReceived r:
                    writer.Write(r.Sequence);
                    if (r.Stage != Receipt.Taken)
                    {
                        writer.Write((byte)r.Stage);
                    }

                    break;
                case SingletonProbe p:
                    writer.Write(Akka.Serialization.Serialization.SerializedActorPath(p.Address));
                    break;
                case SingletonHere h:
                    writer.Write(h.ChildId);
                    break;
                case EntityEnvelope e:
                    writer.Write(e.EntityId);
                    WritePayload(writer, e.Message);
                    break;
                default:
                    _ = Manifest(obj); // throws, naming the type
                    break;
            }
        }

        return stream.ToArray();
    }

    /// <inheritdoc/>
    public override object FromBinary(byte[] bytes, string manifest)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes));
        return manifest switch
        {
            Delivery => ReadDelivery(reader),
            Received => new SingletonReceived(reader.ReadInt64()),
            Accepted => new SingletonReceived(reader.ReadInt64(), (Receipt)reader.ReadByte()),
            Probe => new SingletonProbe(ResolveRef(reader.ReadString())),
            Here => new SingletonHere(reader.ReadString()),
            Entity => new EntityEnvelope(reader.ReadString(), ReadPayload(reader)),
            _ => throw new System.Runtime.Serialization.SerializationException($"{nameof(SuperviseClusterSerializer)}: expected a manifest of D, R, A, P, H or E, received '{manifest}'."),
        };
    }

    private SingletonDelivery ReadDelivery(BinaryReader reader)
    {
        var sequence = reader.ReadInt64();
        var address = ResolveRef(reader.ReadString());
        return new SingletonDelivery(sequence, ReadPayload(reader), address);
    }

    private void WritePayload(BinaryWriter writer, object message)
    {
        var serializer = system.Serialization.FindSerializerFor(message);
        var bytes = serializer.ToBinary(message);
        writer.Write(serializer.Identifier);
        writer.Write(Akka.Serialization.Serialization.ManifestFor(serializer, message));
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    private object ReadPayload(BinaryReader reader)
    {
        var serializerId = reader.ReadInt32();
        var manifest = reader.ReadString();
        var bytes = reader.ReadBytes(reader.ReadInt32());
        return system.Serialization.Deserialize(bytes, serializerId, manifest);
    }

    private IActorRef ResolveRef(string path) => system.Provider.ResolveActorRef(path);
}
