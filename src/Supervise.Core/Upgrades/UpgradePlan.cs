using System.Globalization;
using System.Text;

namespace Supervise;

/// <summary>
/// What an upgrade of a running supervisor from one spec to the next does, computed from the two specs alone, before
/// anything changes (a dry run shows it). Its steps run in this order: children removed (stopped by their shutdown in
/// reverse start order, then deleted); children whose settings changed but not their code (updated in place: same
/// reference, same mailbox); nested supervisors upgraded by plans of their own; children whose <see cref="ChildSpec.Version"/>
/// changed (replaced one at a time in start order); children added (started in the next spec's order, at their place).
/// Unchanged children are kept untouched. The supervisor's own strategy, intensity, period, default policies and
/// auto-shutdown change in place. A next spec that is not valid, changes the kind of supervisor, or changes a child's
/// kind (worker and supervisor) is refused, with every problem named.
/// </summary>
/// <param name="Path">The supervisor's place in the tree.</param>
/// <param name="Steps">The steps, in the order they run.</param>
/// <param name="SupervisorChanges">The supervisor's own settings that change in place (for example <c>Intensity: 3 → 5</c>).</param>
/// <param name="Kept">The children left untouched.</param>
/// <param name="Problems">Why the upgrade is refused; empty when it is not.</param>
public sealed record UpgradePlan(string Path, IReadOnlyList<UpgradeStep> Steps, IReadOnlyList<string> SupervisorChanges, IReadOnlyList<string> Kept, IReadOnlyList<SpecProblem> Problems)
{
    /// <summary>Whether the upgrade is refused (<see cref="Problems"/> says why); nothing runs then.</summary>
    public bool IsRefused => Problems.Count > 0;

    /// <summary>Whether the next spec changes nothing.</summary>
    public bool IsEmpty => !IsRefused && Steps.Count == 0 && SupervisorChanges.Count == 0;

    /// <summary>The plan that takes a supervisor running <paramref name="current"/> at <paramref name="path"/> to <paramref name="next"/>.</summary>
    public static UpgradePlan Make(SupervisionSpec current, SupervisionSpec next, string path) => Make(current, next, path, []);

    /// <summary>
    /// The plan, knowing which children a dynamic supervisor runs (<paramref name="running"/>): when its template's
    /// <see cref="ChildTemplate.Version"/> changes, each is replaced. From the specs alone (the public overload) there are none.
    /// </summary>
    internal static UpgradePlan Make(SupervisionSpec current, SupervisionSpec next, string path, IReadOnlyList<string> running)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var problems = SpecValidator.Validate(next, path).ToList();
        if (next is not null && current.GetType() != next.GetType())
        {
            problems.Add(new SpecProblem(path, "spec", $"the kind of the running supervisor ({current.GetType().Name}): a supervisor cannot change kind in place", next.GetType().Name));
        }

        if (problems.Count > 0)
        {
            return Refused(path, problems);
        }

        var settings = SettingChanges(current, next!);
        if (current is not SupervisorSpec now || next is not SupervisorSpec then)
        {
            // A dynamic supervisor: a new template applies to the children it starts from then on.
            var dynamic = (DynamicSupervisorSpec)current;
            var nextDynamic = (DynamicSupervisorSpec)next!;
            var (from, to) = (dynamic.Template.Version, nextDynamic.Template.Version);
            var rolling = !string.Equals(from, to, StringComparison.Ordinal);
            if (rolling)
            {
                settings.Add($"Template: version {from ?? "(none)"} → {to ?? "(none)"} (the running children replaced one by one, and those started from now on)");
            }
            else if (!Equals(dynamic.Template, nextDynamic.Template))
            {
                settings.Add("Template: replaced (for the children started from now on)");
            }

            AddIfChanged(settings, "MaxChildren", dynamic.MaxChildren, nextDynamic.MaxChildren);
            var replacedRunning = rolling ? running.Select(id => (UpgradeStep)new ReplaceChildStep(id, from, to)).ToList() : [];
            return new UpgradePlan(path, replacedRunning, settings, rolling ? [] : [.. running], []);
        }

        var before = now.Children.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var after = then.Children.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var removed = now.Children.Where(c => !after.ContainsKey(c.Id)).Reverse().Select(c => (UpgradeStep)new StopChildStep(c.Id));
        var updated = new List<UpgradeStep>();
        var nested = new List<UpgradeStep>();
        var replaced = new List<UpgradeStep>();
        var kept = new List<string>();
        for (var i = 0; i < then.Children.Count; i++)
        {
            var next1 = then.Children[i];
            if (!before.TryGetValue(next1.Id, out var now1))
            {
                continue;
            }

            var field = $"Children[{i}]";
            if (now1.Kind != next1.Kind)
            {
                problems.Add(new SpecProblem(path, field + ".Kind", $"the kind of the running child '{next1.Id}' ({now1.Kind}); to change it, give the new child another id", next1.Kind.ToString()));
                continue;
            }

            if (!string.Equals(now1.Version, next1.Version, StringComparison.Ordinal))
            {
                replaced.Add(new ReplaceChildStep(next1.Id, now1.Version, next1.Version));
                continue;
            }

            var upgradedNested = false;
            if (now1.Supervisor is { } inner && next1.Supervisor is { } innerNext && !ReferenceEquals(inner, innerNext))
            {
                var plan = Make(inner, innerNext, path + "/" + next1.Id);
                if (plan.IsRefused)
                {
                    problems.AddRange(plan.Problems);
                    continue;
                }

                if (!plan.IsEmpty)
                {
                    nested.Add(new UpgradeNestedStep(next1.Id, plan));
                    upgradedNested = true;
                }
            }

            var changes = ChildChanges(now1, next1);
            if (changes.Count > 0)
            {
                updated.Add(new UpdateChildStep(next1.Id, changes));
            }
            else if (!upgradedNested)
            {
                kept.Add(next1.Id);
            }
        }

        if (problems.Count > 0)
        {
            return Refused(path, problems);
        }

        var added = then.Children.Select((c, i) => (c, i)).Where(x => !before.ContainsKey(x.c.Id)).Select(x => (UpgradeStep)new StartChildStep(x.c.Id, x.i));
        var keptBefore = now.Children.Where(c => after.ContainsKey(c.Id)).Select(c => c.Id).ToList();
        var keptAfter = then.Children.Where(c => before.ContainsKey(c.Id)).Select(c => c.Id).ToList();
        if (!keptBefore.SequenceEqual(keptAfter, StringComparer.Ordinal))
        {
            settings.Add($"Order: {string.Join(", ", keptBefore)} → {string.Join(", ", keptAfter)} (the start order from now on; no child is restarted for it)");
        }

        return new UpgradePlan(path, [.. removed, .. updated, .. nested, .. replaced, .. added], settings, kept, []);
    }

    /// <summary>The plan as a reader checks it before it runs: one line a step.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        Write(text, "");
        return text.ToString().TrimEnd();
    }

    private void Write(StringBuilder text, string indent)
    {
        if (IsRefused)
        {
            text.Append(indent).Append("refused: ").AppendJoin("; ", Problems).AppendLine();
            return;
        }

        text.Append(indent).Append(Path).AppendLine(IsEmpty ? ": nothing changes" : ":");
        foreach (var change in SupervisorChanges)
        {
            text.Append(indent).Append("  supervisor ").AppendLine(change);
        }

        foreach (var step in Steps)
        {
            text.Append(indent).Append("  ").AppendLine(step.Describe());
            if (step is UpgradeNestedStep nested)
            {
                nested.Plan.Write(text, indent + "    ");
            }
        }

        if (Kept.Count > 0)
        {
            text.Append(indent).Append("  keep ").AppendJoin(", ", Kept).AppendLine();
        }
    }

    private static UpgradePlan Refused(string path, IReadOnlyList<SpecProblem> problems) => new(path, [], [], [], problems);

    private static List<string> SettingChanges(SupervisionSpec now, SupervisionSpec next)
    {
        var changes = new List<string>();
        if (now is SupervisorSpec a && next is SupervisorSpec b)
        {
            AddIfChanged(changes, "Strategy", a.Strategy, b.Strategy);
            AddIfChanged(changes, "AutoShutdown", a.AutoShutdown, b.AutoShutdown);
        }

        AddIfChanged(changes, "Intensity", now.Intensity, next.Intensity);
        AddIfChanged(changes, "Period", now.Period, next.Period);

        if (!now.DefaultPolicies.SequenceEqual(next.DefaultPolicies))
        {
            changes.Add("DefaultPolicies: replaced");
        }

        return changes;
    }

    /// <summary>What changed in a child's settings that its supervisor applies without restarting it.</summary>
    private static List<string> ChildChanges(ChildSpec now, ChildSpec next)
    {
        var changes = new List<string>();
        AddIfChanged(changes, "Restart", now.Restart, next.Restart);
        AddIfChanged(changes, "Shutdown", now.EffectiveShutdown, next.EffectiveShutdown);
        AddIfChanged(changes, "Significant", now.Significant, next.Significant);
        AddIfChanged(changes, "Criticality", now.Criticality, next.Criticality);

        if (!(now.Policies ?? []).SequenceEqual(next.Policies ?? []) || (now.Policies is null) != (next.Policies is null))
        {
            changes.Add("Policies: replaced");
        }

        if (!now.Tags.SequenceEqual(next.Tags, StringComparer.Ordinal))
        {
            changes.Add($"Tags: [{string.Join(", ", now.Tags)}] → [{string.Join(", ", next.Tags)}]");
        }

        return changes;
    }

    /// <summary>Adds <c>name: from → to</c> to <paramref name="changes"/> when the two differ.</summary>
    private static void AddIfChanged<T>(List<string> changes, string name, T from, T to)
    {
        if (!EqualityComparer<T>.Default.Equals(from, to))
        {
            changes.Add(Change(name, from, to));
        }
    }

    private static string Change(string name, object? from, object? to) =>
        string.Create(CultureInfo.InvariantCulture, $"{name}: {from?.ToString() ?? "none"} → {to?.ToString() ?? "none"}");
}

/// <summary>One step of an <see cref="UpgradePlan"/>, about one child.</summary>
/// <param name="ChildId">The child it is about.</param>
public abstract record UpgradeStep(string ChildId)
{
    /// <summary>The step in words, as a dry run shows it.</summary>
    public abstract string Describe();
}

/// <summary>A child the next spec no longer has: stopped by its shutdown (removed children go in reverse start order), then deleted.</summary>
/// <param name="ChildId">The child.</param>
public sealed record StopChildStep(string ChildId) : UpgradeStep(ChildId)
{
    /// <inheritdoc/>
    public override string Describe() => $"stop and delete {ChildId}";
}

/// <summary>A child whose settings changed but not its code: its supervisor applies them in place (same reference, same mailbox).</summary>
/// <param name="ChildId">The child.</param>
/// <param name="Changes">What changed, one entry a setting.</param>
public sealed record UpdateChildStep(string ChildId, IReadOnlyList<string> Changes) : UpgradeStep(ChildId)
{
    /// <inheritdoc/>
    public override string Describe() => $"update {ChildId} in place: {string.Join("; ", Changes)}";
}

/// <summary>A nested supervisor whose own spec changed: upgraded by a plan of its own (it is not restarted).</summary>
/// <param name="ChildId">The nested supervisor.</param>
/// <param name="Plan">Its plan.</param>
public sealed record UpgradeNestedStep(string ChildId, UpgradePlan Plan) : UpgradeStep(ChildId)
{
    /// <inheritdoc/>
    public override string Describe() => $"upgrade {ChildId}:";
}

/// <summary>A child whose <see cref="ChildSpec.Version"/> changed: its incarnation stopped by its shutdown, the new one started and confirmed.</summary>
/// <param name="ChildId">The child.</param>
/// <param name="From">The running version.</param>
/// <param name="To">The next one.</param>
public sealed record ReplaceChildStep(string ChildId, string? From, string? To) : UpgradeStep(ChildId)
{
    /// <inheritdoc/>
    public override string Describe() => $"replace {ChildId}: {From ?? "no version"} → {To ?? "no version"}";
}

/// <summary>A child the running spec does not have: started at its place in the next spec's order.</summary>
/// <param name="ChildId">The child.</param>
/// <param name="Position">Its index among the next spec's children.</param>
public sealed record StartChildStep(string ChildId, int Position) : UpgradeStep(ChildId)
{
    /// <inheritdoc/>
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"start {ChildId} at position {Position}");
}
