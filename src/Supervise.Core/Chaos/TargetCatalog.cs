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

    /// <summary>Every child in the tree, in start order, depth first; the root itself first if it may be hit.</summary>
    public async Task<List<FaultTarget>> GatherAsync()
    {
        var all = new List<FaultTarget>(_lastCount + 16); // sized as last time: no doubling of a ten-thousand-target list each fault
        if (options.Targets.IncludeRoot)
        {
            all.Add(new FaultTarget(treeName, root, "", ChildKind.Supervisor, [], root, null, []));
        }

        await GatherAsync(root, treeName, all);
        _lastCount = all.Count;
        return all;
    }

    /// <summary>
    /// The targets under one supervisor, depth first. A supervisor's own list is asked for only when
    /// something happened under it since the last time (any of its events, or a fault injected there): with
    /// a thousand children, a tick asks one or two supervisors instead of every one.
    /// </summary>
    private async Task GatherAsync(IActorRef supervisor, string path, List<FaultTarget> into)
    {
        List<FaultTarget> children;
        if (_known.TryGetValue(path, out var known) && known.Supervisor.Equals(supervisor))
        {
            children = known.Children;
        }
        else if (ledger.Hung(path) || runtime.Holds.IsSuspended(supervisor))
        {
            return; // suspended: it would not answer
        }
        else
        {
            if (await runtime.AskUnlessGoneAsync<List<FaultTarget>>(supervisor, new TargetsRequest(), stopped) is not { } answer)
            {
                return; // stopped, or stopping: no targets there
            }

            children = answer;

            _known[path] = (supervisor, children);
        }

        foreach (var child in children)
        {
            into.Add(child);
            if (child.Kind == ChildKind.Supervisor && child.Running is { } nested)
            {
                await GatherAsync(nested, child.Path, into);
            }
        }
    }
}
