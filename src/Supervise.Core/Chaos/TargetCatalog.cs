using Akka.Actor;
using Supervise.Runtime;

// Awaited from the injector actor's handlers, which must continue on the actor's own context.
#pragma warning disable CA2007

namespace Supervise.Chaos;

/// <summary>
/// The injector's view of the tree's children as fault targets, asked of each supervisor and cached until something
/// happens under it (any of its events, or a fault injected there): with a thousand children, a tick asks one or two
/// supervisors instead of every one.
/// </summary>
internal sealed class TargetCatalog(ChaosOptions options, IActorRef root, string treeName, TreeRuntime runtime, FaultLedger ledger, CancellationToken stopped)
{
    private readonly Dictionary<string, (IActorRef Supervisor, List<FaultTarget> Children)> _known = new(StringComparer.Ordinal);
    private int _lastCount;

    /// <summary>Something happened under the supervisor at <paramref name="path"/>: its children are asked for again.</summary>
    public void Forget(string path) => _known.Remove(path);

    /// <summary>
    /// Every child in the tree, in start order, depth first; the root itself first if it may be hit. The supervisors whose
    /// lists are not known are asked level by level, every one of a level at once: one round trip per level of the tree,
    /// not one per supervisor asked.
    /// </summary>
    public async Task<List<FaultTarget>> GatherAsync()
    {
        var level = new List<(IActorRef Supervisor, string Path)> { (root, treeName) };
        var asks = new List<(IActorRef Supervisor, string Path, Task<List<FaultTarget>?> Answer)>();
        while (level.Count > 0)
        {
            asks.Clear();
            foreach (var (supervisor, path) in level)
            {
                if (!Known(supervisor, path, out _) && !ledger.Hung(path) && !runtime.Holds.IsSuspended(supervisor))
                {
                    asks.Add((supervisor, path, runtime.AskUnlessGoneAsync<List<FaultTarget>>(supervisor, new TargetsRequest(), stopped)));
                }
            }

            foreach (var (supervisor, path, answer) in asks)
            {
                // None: stopped, or stopping (no targets there). Suspended or hung: it would not answer (not asked).
                if (await answer is { } children)
                {
                    _known[path] = (supervisor, children);
                }
            }

            var next = new List<(IActorRef, string)>();
            foreach (var (supervisor, path) in level)
            {
                if (Known(supervisor, path, out var children))
                {
                    foreach (var child in children)
                    {
                        if (child.Kind == ChildKind.Supervisor && child.Running is { } nested)
                        {
                            next.Add((nested, child.Path));
                        }
                    }
                }
            }

            level = next;
        }

        var all = new List<FaultTarget>(_lastCount + 16); // sized as last time: no doubling of a ten-thousand-target list each fault
        if (options.Targets.IncludeRoot)
        {
            all.Add(new FaultTarget(treeName, root, "", ChildKind.Supervisor, [], root, null, []));
        }

        Collect(root, treeName, all);
        _lastCount = all.Count;
        return all;
    }

    private bool Known(IActorRef supervisor, string path, out List<FaultTarget> children)
    {
        var known = _known.TryGetValue(path, out var entry) && entry.Supervisor.Equals(supervisor);
        children = known ? entry.Children : [];
        return known;
    }

    /// <summary>The targets under one supervisor, depth first, from the lists known (a supervisor not known had none to give).</summary>
    private void Collect(IActorRef supervisor, string path, List<FaultTarget> into)
    {
        if (!Known(supervisor, path, out var children))
        {
            return;
        }

        foreach (var child in children)
        {
            into.Add(child);
            if (child.Kind == ChildKind.Supervisor && child.Running is { } nested)
            {
                Collect(nested, child.Path, into);
            }
        }
    }
}
