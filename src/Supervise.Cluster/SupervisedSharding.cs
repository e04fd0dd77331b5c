using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;

namespace Supervise.Cluster;

/// <summary>A message for the entity <paramref name="EntityId"/> of a supervised sharded type.</summary>
public sealed record EntityEnvelope(string EntityId, object Message);

/// <summary>
/// A sharded entity's tree gave up (its child exceeded its restart intensity): the entity is passivated,
/// messages that arrive meanwhile wait in its shard, and the next one starts it afresh.
/// </summary>
public sealed record ShardedEntityGaveUp(string SupervisorPath, DateTimeOffset Timestamp, string TypeName, string EntityId, Exception? Reason)
    : SupervisionEvent(SupervisorPath, Timestamp);

/// <summary>How a supervised sharded type runs.</summary>
public sealed record ShardingOptions
{
    /// <summary>Only nodes with this role host entities; any node when null.</summary>
    public string? Role { get; init; }

    /// <summary>How many shards the entities are spread over (about ten times the most nodes you expect).</summary>
    public int Shards { get; init; } = 30;

    /// <summary>The restart intensity of the tree that supervises each entity.</summary>
    public int Intensity { get; init; } = SupervisionSpec.DefaultIntensity;

    /// <summary>The restart period of that tree.</summary>
    public TimeSpan Period { get; init; } = SupervisionSpec.DefaultPeriod;
}

/// <summary>
/// Entities by key on Akka.Cluster.Sharding, each supervised on its node by a Supervise tree with the child
/// spec's restart and degradation policies. Send <see cref="EntityEnvelope"/>s to the region it returns.
/// </summary>
public static class SupervisedSharding
{
    /// <summary>
    /// Starts the sharded type <paramref name="typeName"/> on this node (call it on every node that may host
    /// entities); each entity is <paramref name="child"/>, supervised by its own tree. Returns the region.
    /// </summary>
    public static IActorRef Start(ActorSystem system, string typeName, ChildSpec child, ShardingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentException.ThrowIfNullOrWhiteSpace(typeName);
        ArgumentNullException.ThrowIfNull(child);
        options ??= new ShardingOptions();
        if (!ActorPath.IsValidPathElement(typeName))
        {
            throw new ArgumentException($"A sharded type's name names its region and its entities' trees: expected letters, digits and -_.*$+:@&=,!~';, not starting with '$', received '{typeName}'.", nameof(typeName));
        }

        if (options.Shards < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Shards, "ShardingOptions.Shards: expected 1 or more shards.");
        }

        SuperviseClusterSerializer.EnsureRegistered(system);
        var spec = new SupervisorSpec { Intensity = options.Intensity, Period = options.Period, Children = [child] };
        if (spec.Validate(typeName) is { Count: > 0 } problems)
        {
            throw new SpecValidationException(problems);
        }

        var sharding = ClusterSharding.Get(system); // first: it adds sharding's defaults to the configuration
        var settings = ClusterShardingSettings.Create(system);
        if (options.Role is { } role)
        {
            settings = settings.WithRole(role);
        }

        return sharding.Start(
            typeName,
            entityId => Props.Create(() => new EntityHost(typeName, entityId, spec, child.Id)),
            settings,
            new Extractor(options.Shards));
    }

    private sealed class Extractor(int shards) : HashCodeMessageExtractor(shards)
    {
        public override string? EntityId(object message) => (message as EntityEnvelope)?.EntityId;

        public override object EntityMessage(object message) => (message as EntityEnvelope)?.Message ?? message;
    }

    /// <summary>One entity: its tree, and its messages forwarded to the child's stable address.</summary>
    private sealed class EntityHost : TreeHostActor
    {
        private static int _incarnations;
        private readonly string _typeName;
        private readonly string _entityId;

        public EntityHost(string typeName, string entityId, SupervisorSpec spec, string childId)
            : base(spec, childId, $"entity-{typeName}-{Uri.EscapeDataString(entityId)}-{Interlocked.Increment(ref _incarnations)}")
        {
            _typeName = typeName;
            _entityId = entityId;
            AwaitTree();
        }

        protected override string What => $"Entity {_entityId} of {_typeName}";

        protected override void OnReady(Ready ready)
        {
            Become(() =>
            {
                Receive<TreeStopped>(stopped =>
                {
                    // Passivated first: from now on its shard holds messages for it until it has stopped, then starts it again.
                    Context.Parent.Tell(new Passivate(PoisonPill.Instance));
                    if (stopped.Outcome.Reason != TreeStopReason.Stopped)
                    {
                        Context.GetLogger().Warning("Entity {0} of {1} gave up ({2}); it starts afresh with its next message", _entityId, _typeName, stopped.Outcome.Reason);
                        Context.System.EventStream.Publish(new ShardedEntityGaveUp(ready.Tree.Name, Hosted.Clock.GetUtcNow(), _typeName, _entityId, stopped.Outcome.Error));
                    }
                });
                ReceiveAny(m => ready.Address.Forward(m));
            });
            Stash.UnstashAll();
        }

    }
}
