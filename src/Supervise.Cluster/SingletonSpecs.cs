using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Akka.Actor;

namespace Supervise.Cluster;

/// <summary>
/// What each supervised singleton (or sharded type) started on one node runs there: the spec its host starts its tree from (the one given to
/// <see cref="SupervisedSingleton.Start"/>, then each accepted <see cref="SupervisedSingleton.UpgradeAsync"/>), and the tree
/// running it on this node, if the instance is here now.
/// </summary>
internal sealed class SingletonSpecs
{
    private static readonly ConditionalWeakTable<ActorSystem, SingletonSpecs> Systems = new();
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public static SingletonSpecs For(ActorSystem system) => Systems.GetValue(system, _ => new SingletonSpecs());

    /// <summary>The entry of <paramref name="key"/> on this node, made with <paramref name="spec"/> the first time.</summary>
    public Entry Register(string key, SupervisorSpec spec) => _entries.GetOrAdd(key, _ => new Entry(spec));

    public Entry? Find(string childId) => _entries.GetValueOrDefault(childId);

    internal sealed class Entry(SupervisorSpec spec)
    {
        private SupervisorSpec _spec = spec;
        private SupervisionTree? _running;

        /// <summary>The spec a host on this node starts from.</summary>
        public SupervisorSpec Spec { get => Volatile.Read(ref _spec); set => Volatile.Write(ref _spec, value); }

        /// <summary>The tree of the instance on this node, while it runs here.</summary>
        public SupervisionTree? Running { get => Volatile.Read(ref _running); set => Volatile.Write(ref _running, value); }

        /// <summary>One upgrade at a time on this node.</summary>
        public SemaphoreSlim Upgrading { get; } = new(1, 1);

        /// <summary>A sharded type's entities running on this node, by entity id.</summary>
        public ConcurrentDictionary<string, SupervisionTree> Entities { get; } = new(StringComparer.Ordinal);
    }
}
