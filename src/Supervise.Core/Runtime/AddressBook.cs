using System.Collections.Concurrent;

namespace Supervise.Runtime;

/// <summary>
/// The stable addresses handed out in one tree, by child path: kept here, not in a supervisor, so that they outlive a
/// supervisor restarted by its parent (the next instance takes them over).
/// </summary>
internal sealed class AddressBook
{
    private readonly ConcurrentDictionary<string, ChildAddress> _byPath = new(StringComparer.Ordinal);
    private bool _any;

    /// <summary>Whether any address was ever handed out: until then, starting a child need not look for one.</summary>
    public bool Any => Volatile.Read(ref _any);

    public bool TryGet(string path, out ChildAddress address) => _byPath.TryGetValue(path, out address!);

    public void Add(string path, ChildAddress address)
    {
        Volatile.Write(ref _any, true);
        _byPath[path] = address;
    }

    /// <summary>Removes <paramref name="address"/> if it is still the one at <paramref name="path"/>.</summary>
    public bool TryRemove(string path, ChildAddress address) => _byPath.TryRemove(new KeyValuePair<string, ChildAddress>(path, address));

    /// <summary>The addresses whose paths start with <paramref name="prefix"/> (none before any address was handed out).</summary>
    public IEnumerable<KeyValuePair<string, ChildAddress>> Under(string prefix) =>
        Any ? _byPath.Where(a => a.Key.StartsWith(prefix, StringComparison.Ordinal)) : [];
}
