using System.Diagnostics.CodeAnalysis;
using Akka.Actor;

namespace Supervise.Hosting;

/// <summary>The trees the host runs, by name, and their children's addresses (resolve it from the services).</summary>
public sealed class SuperviseTrees
{
    private readonly object _gate = new();
    private readonly IReadOnlyList<string> _declared;
    private Dictionary<string, SupervisionTree> _running = new(StringComparer.Ordinal);
    private HashSet<string> _disabled = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ChildAddress> _addresses = new(StringComparer.Ordinal);
    private ActorSystem? _system;
    private CancellationToken _hostStopping;

    internal SuperviseTrees(IReadOnlyList<string> declared) => _declared = declared;

    /// <summary>The trees declared, in start order.</summary>
    public IReadOnlyList<string> Declared => _declared;

    /// <summary>The actor system the trees run in (once the host has started).</summary>
    public ActorSystem System => _system ?? throw new InvalidOperationException("Supervise has not started: the host starts its actor system and trees in StartAsync.");

    /// <summary>The running tree named <paramref name="name"/>.</summary>
    public SupervisionTree this[string name]
    {
        get
        {
            if (TryGet(name, out var tree))
            {
                return tree;
            }

            throw _declared.Contains(name, StringComparer.Ordinal)
                ? new InvalidOperationException($"Tree '{name}' is not running: the host starts trees in StartAsync (or it is disabled in configuration).")
                : new KeyNotFoundException($"No tree named '{name}': expected one of {string.Join(", ", _declared)}.");
        }
    }

    /// <summary>Whether configuration keeps the tree named <paramref name="name"/> from starting (<c>Enabled: false</c>).</summary>
    public bool IsDisabled(string name)
    {
        lock (_gate)
        {
            return _disabled.Contains(name);
        }
    }

    /// <summary>The running tree named <paramref name="name"/>, if there is one.</summary>
    public bool TryGet(string name, [NotNullWhen(true)] out SupervisionTree? tree)
    {
        lock (_gate)
        {
            return _running.TryGetValue(name, out tree);
        }
    }

    /// <summary>
    /// The stable address of the child at <paramref name="path"/>: the tree's name, then child ids down to it
    /// (<c>"orders/payments/card"</c>).
    /// </summary>
    public Task<ChildAddress> GetChildAsync(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var segments = path.Split('/');
        if (segments.Length < 2 || segments.Any(s => s.Length == 0))
        {
            throw new ArgumentException($"A child's path is a tree's name and child ids separated by '/': expected for example 'orders/payments', received '{path}'.", nameof(path));
        }

        return this[segments[0]].GetChildAsync(segments[1..]);
    }

    internal void Started(ActorSystem system, SupervisionTree tree)
    {
        lock (_gate)
        {
            _system = system;
            _running = new Dictionary<string, SupervisionTree>(_running, StringComparer.Ordinal) { [tree.Name] = tree };
        }
    }

    internal void Attached(ActorSystem system) => _system = system;

    /// <summary>Whether the host has begun to stop (its trees are about to stop, or stopping): readiness fails from then on.</summary>
    public bool HostStopping => _hostStopping.IsCancellationRequested;

    internal void StopsWith(CancellationToken hostStopping) => _hostStopping = hostStopping;

    /// <summary>An address declared with <see cref="SuperviseBuilder.AddChildAddress"/>, looked up when the host started.</summary>
    internal ChildAddress Address(string path) =>
        _addresses.TryGetValue(path, out var address)
            ? address
            : throw new InvalidOperationException($"The address of '{path}' is not known yet: the host looks it up in StartAsync (or its tree is disabled in configuration).");

    internal async Task ResolveAsync(string path) => _addresses[path] = await GetChildAsync(path).ConfigureAwait(false);

    internal void Disabled(string name)
    {
        lock (_gate)
        {
            _disabled = new HashSet<string>(_disabled, StringComparer.Ordinal) { name };
        }
    }
}
