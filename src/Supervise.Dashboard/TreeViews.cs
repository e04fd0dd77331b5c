namespace Supervise.Dashboard;

/// <summary>A tree as the page draws it.</summary>
internal sealed record TreeView(string Name, string Health, bool Stopped, NodeView? Root, string? Error);

/// <summary>
/// One node: a supervisor (with its children, or, above <see cref="SuperviseDashboardOptions.CollapseAbove"/> of them, only
/// their counts by health) or a worker.
/// </summary>
internal sealed record NodeView(
    string Path,
    string Id,
    string Kind,
    string Health,
    string? Criticality,
    int Restarts,
    string? LastFailure,
    string? Circuit,
    long Dropped,
    int ChildCount,
    IReadOnlyList<NodeView>? Children,
    IReadOnlyDictionary<string, int>? Counts)
{
    /// <summary>A supervisor's strategy (dynamic for a dynamic supervisor).</summary>
    public string? Strategy { get; init; }

    /// <summary>A supervisor's restart window's fill, as <c>2 of 3 in 5 s</c>.</summary>
    public string? Window { get; init; }
}

/// <summary>Builds the page's views from health snapshots: pure, tested without a tree.</summary>
internal static class TreeViews
{
    /// <summary>The longest text of a failure shown (the rest is cut, and says so).</summary>
    public const int FailureText = 300;

    public static NodeView Root(HealthSnapshot snapshot, int collapseAbove) =>
        Supervisor(snapshot, snapshot.Path[(snapshot.Path.LastIndexOf('/') + 1)..], null, collapseAbove);

    /// <summary>The children of the supervisor at <paramref name="path"/> whose id contains <paramref name="query"/>, at most <paramref name="limit"/>.</summary>
    public static IReadOnlyList<NodeView> Search(HealthSnapshot snapshot, string path, string query, int limit, int collapseAbove)
    {
        var supervisor = Find(snapshot, path);
        if (supervisor is null)
        {
            return [];
        }

        return supervisor.Children
            .Where(c => c.Id.Contains(query, StringComparison.OrdinalIgnoreCase))
            .Take(limit)
            .Select(c => Child(supervisor.Path, c, collapseAbove))
            .ToList();
    }

    private static HealthSnapshot? Find(HealthSnapshot snapshot, string path)
    {
        if (snapshot.Path == path)
        {
            return snapshot;
        }

        foreach (var child in snapshot.Children)
        {
            if (child.Subtree is { } subtree && path.StartsWith(subtree.Path, StringComparison.Ordinal) && Find(subtree, path) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private static NodeView Supervisor(HealthSnapshot snapshot, string id, ChildHealth? self, int collapseAbove)
    {
        var collapsed = snapshot.Children.Count > collapseAbove;
        return new NodeView(
            snapshot.Path,
            id,
            "supervisor",
            snapshot.State.ToString(),
            self?.Criticality.ToString(),
            self?.Restarts ?? 0,
            Failure(self?.LastFailure),
            null,
            0,
            snapshot.Children.Count,
            collapsed ? null : snapshot.Children.Select(c => Child(snapshot.Path, c, collapseAbove)).ToList(),
            collapsed ? snapshot.Children.GroupBy(c => c.State.ToString()).ToDictionary(g => g.Key, g => g.Count()) : null)
        {
            Strategy = snapshot.Strategy?.ToString() ?? "Dynamic",
            Window = Window(snapshot.RestartsInWindow, snapshot.Intensity, snapshot.Period),
        };
    }

    /// <summary>A restart window's fill as a person reads it: <c>2 of 3 in 5 s</c>.</summary>
    public static string Window(int restarts, int intensity, TimeSpan period) =>
        FormattableString.Invariant($"{restarts} of {intensity} in {(period.TotalSeconds >= 1 ? $"{period.TotalSeconds:0.###} s" : $"{period.TotalMilliseconds:0.###} ms")}");

    private static NodeView Child(string supervisorPath, ChildHealth child, int collapseAbove) =>
        child.Subtree is { } subtree
            ? Supervisor(subtree, child.Id, child, collapseAbove)
            : new NodeView(
                supervisorPath + "/" + child.Id,
                child.Id,
                child.Kind == ChildKind.Supervisor ? "supervisor" : "worker",
                child.State.ToString(),
                child.Criticality.ToString(),
                child.Restarts,
                Failure(child.LastFailure),
                child.Circuit == CircuitState.Closed ? null : child.Circuit.ToString(),
                child.Dropped,
                0,
                null,
                null);

    /// <summary>An exception as its type and message, cut to <see cref="FailureText"/> characters.</summary>
    public static string? Failure(Exception? error) => error is null ? null : Cut($"{error.GetType().Name}: {error.Message}", FailureText);

    public static string Cut(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max), $"… ({text.Length - max} more characters)");
}
