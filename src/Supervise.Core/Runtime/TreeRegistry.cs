using System.Runtime.CompilerServices;
using Akka.Actor;

namespace Supervise.Runtime;

/// <summary>
/// The trees of each actor system, by name. A name belongs to one running tree at a time. Akka.NET frees
/// an actor's name only when its parent has processed its death, a moment after the tree has stopped, so
/// a tree started again under the name of a stopped one gets a fresh actor name (<c>name-2</c>, ...);
/// its tree name, used in every event path, stays the same.
/// </summary>
internal sealed class TreeRegistry
{
    private static readonly ConditionalWeakTable<ActorSystem, TreeRegistry> Registries = new();

    private readonly Dictionary<string, (RootLink Link, int Generation)> _trees = new(StringComparer.Ordinal);

    public static TreeRegistry For(ActorSystem system) => Registries.GetValue(system, _ => new TreeRegistry());

    /// <summary>Creates the root actor of a new tree named <paramref name="name"/>.</summary>
    /// <exception cref="InvalidOperationException">A tree of that name runs, or another actor has that name.</exception>
    public IActorRef CreateRoot(ActorSystem system, string name, Func<Props> props, RootLink link)
    {
        lock (_trees)
        {
            var generation = 1;
            if (_trees.TryGetValue(name, out var previous))
            {
                if (!previous.Link.Stopped.Task.IsCompleted)
                {
                    throw new InvalidOperationException($"A tree named '{name}' already runs in actor system '{system.Name}'; stop it first or give TreeOptions.Name another value.");
                }

                generation = previous.Generation + 1;
            }

            try
            {
                var root = system.ActorOf(props(), generation == 1 ? name : $"{name}-{generation}");
                _trees[name] = (link, generation);
                return root;
            }
            catch (InvalidActorNameException e)
            {
                throw new InvalidOperationException($"An actor named '{name}' already runs in actor system '{system.Name}'; give TreeOptions.Name another value.", e);
            }
        }
    }
}
