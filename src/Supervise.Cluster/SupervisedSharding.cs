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

/// <summary>What an upgrade of a sharded type did on one node (see <see cref="SupervisedSharding.UpgradeAsync"/>).</summary>
/// <param name="TypeName">The sharded type.</param>
/// <param name="Entities">Each entity's result, by entity id, in the order they were upgraded; under the id "" the refusal, when the next spec or the options were not valid.</param>
/// <param name="Moved">Entities that left this node while it was upgrading them (their next node starts the spec it was given).</param>
public sealed record ShardedUpgradeResult(string TypeName, IReadOnlyDictionary<string, UpgradeResult> Entities, IReadOnlyList<string> Moved)
{
    /// <summary>Whether every entity hosted here took the next spec.</summary>
    public bool Completed => Entities.Values.All(r => r is UpgradeResult.Completed);
}

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

        var entry = SingletonSpecs.For(system).Register(ShardedKey(typeName), spec);
        var sharding = ClusterSharding.Get(system); // first: it adds sharding's defaults to the configuration
        var settings = ClusterShardingSettings.Create(system);
        if (options.Role is { } role)
        {
            settings = settings.WithRole(role);
        }

        return sharding.Start(
            typeName,
            entityId => Props.Create(() => new EntityHost(typeName, entityId, entry, child.Id)),
            settings,
            new Extractor(options.Shards));
    }

    private static string ShardedKey(string typeName) => "sharded:" + typeName;

    /// <summary>
    /// Upgrades the sharded type <paramref name="typeName"/> (started on this node with <see cref="Start"/>) to <paramref name="next"/>
    /// on this node: the entities it hosts now are upgraded one at a time (the first is the canary), each as
    /// <see cref="SupervisorHandle.UpgradeAsync"/> upgrades a child (replaced, watched), and the entities started here from now on
    /// start from <paramref name="next"/>. If one entity's upgrade does not complete, the ones upgraded before it are taken back
    /// to the previous spec, last first, the rest are left as they were, and this node starts the previous spec again. An
    /// entity that moves to another node meanwhile (a rebalance) is left to that node, which starts the spec it was given:
    /// call this on every node that hosts the type.
    /// </summary>
    /// <returns>Each entity's result on this node, in the order they were upgraded.</returns>
    public static async Task<ShardedUpgradeResult> UpgradeAsync(ActorSystem system, string typeName, ChildSpec next, UpgradeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(next);
        var entry = SingletonSpecs.For(system).Find(ShardedKey(typeName ?? ""))
            ?? throw new ArgumentException($"No supervised sharded type '{typeName}' was started on this node (SupervisedSharding.Start): there is nothing to upgrade.", nameof(typeName));
        options ??= new UpgradeOptions();
        await entry.Upgrading.WaitAsync().ConfigureAwait(false);
        try
        {
            var previous = entry.Spec;
            var spec = previous with { Children = [next] };
            var plan = UpgradePlan.Make(previous, spec, typeName!);
            var problems = plan.Problems.Concat(options.Validate()).ToList();
            if (problems.Count > 0)
            {
                return new ShardedUpgradeResult(typeName!, new Dictionary<string, UpgradeResult> { [""] = new UpgradeResult.Refused(plan, problems) }, []);
            }

            entry.Spec = spec; // the entities started here from now on
            var results = new List<KeyValuePair<string, UpgradeResult>>();
            var upgraded = new List<SupervisionTree>();
            var moved = new List<string>();
            foreach (var (entityId, tree) in entry.Entities.OrderBy(e => e.Key, StringComparer.Ordinal).ToList())
            {
                UpgradeResult result;
                try
                {
                    result = await tree.Root.UpgradeAsync(spec, options).ConfigureAwait(false);
                }
                catch (SupervisorUnavailableException)
                {
                    moved.Add(entityId); // passivated or handed off meanwhile: not here any more
                    continue;
                }

                results.Add(new(entityId, result));
                if (result is UpgradeResult.Completed)
                {
                    upgraded.Add(tree);
                    continue;
                }

                // Not completed: back to the previous spec, last first, and this node starts it again.
                entry.Spec = previous;
                var back = options with { WatchWindow = TimeSpan.Zero, OnFailure = UpgradeFailureAction.Continue, CanaryCount = 0 };
                for (var i = upgraded.Count - 1; i >= 0; i--)
                {
                    try
                    {
                        await upgraded[i].Root.UpgradeAsync(previous, back).ConfigureAwait(false);
                    }
                    catch (SupervisorUnavailableException)
                    {
                        // gone meanwhile: the next start is from the previous spec anyway
                    }
                }

                break;
            }

            return new ShardedUpgradeResult(typeName!, results.ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal), moved);
        }
        finally
        {
            entry.Upgrading.Release();
        }
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
        private readonly SingletonSpecs.Entry _entry;
        private SupervisionTree? _tree;

        public EntityHost(string typeName, string entityId, SingletonSpecs.Entry entry, string childId)
            : base(entry.Spec, childId, $"entity-{typeName}-{Uri.EscapeDataString(entityId)}-{Interlocked.Increment(ref _incarnations)}")
        {
            _typeName = typeName;
            _entityId = entityId;
            _entry = entry;
            AwaitTree();
        }

        protected override string What => $"Entity {_entityId} of {_typeName}";

        /// <summary>The spec this node starts the type's entities from now (its latest accepted upgrade).</summary>
        protected override SupervisorSpec Spec => _entry.Spec;

        protected override void PostStop()
        {
            if (_tree is not null)
            {
                _entry.Entities.TryRemove(new KeyValuePair<string, SupervisionTree>(_entityId, _tree)); // gone from this node
            }

            base.PostStop();
        }

        protected override void OnReady(Ready ready)
        {
            _tree = ready.Tree;
            _entry.Entities[_entityId] = ready.Tree;
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
