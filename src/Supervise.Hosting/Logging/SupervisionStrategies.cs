namespace Supervise.Hosting;

/// <summary>The strategy of every supervisor of the trees it was told about, by path: events do not carry it.</summary>
public sealed class SupervisionStrategies
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _byPath = new(StringComparer.Ordinal);

    /// <summary>Records the strategies of the tree named <paramref name="treeName"/> started from <paramref name="spec"/>.</summary>
    public void Add(string treeName, SupervisionSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Walk(treeName, spec);
    }

    /// <summary>The strategy of the supervisor at <paramref name="supervisorPath"/> (<c>Dynamic</c> for a dynamic supervisor), or null if unknown.</summary>
    public string? Of(string supervisorPath) => _byPath.TryGetValue(supervisorPath, out var strategy) ? strategy : null;

    private void Walk(string path, SupervisionSpec spec)
    {
        switch (spec)
        {
            case SupervisorSpec s:
                _byPath[path] = s.Strategy.ToString();
                foreach (var child in s.Children)
                {
                    if (child.Supervisor is { } nested)
                    {
                        Walk(path + "/" + child.Id, nested);
                    }
                }

                break;
            case DynamicSupervisorSpec:
                _byPath[path] = "Dynamic";
                break;
        }
    }
}
