namespace Supervise.Upgrades;

/// <summary>One change an upgrade makes to one child, as its supervisor carries it out.</summary>
/// <param name="ChildId">The child.</param>
internal abstract record UpgradeOp(string ChildId);

/// <summary>Stop the child by its shutdown spec, then delete its spec.</summary>
internal sealed record RemoveOp(string ChildId) : UpgradeOp(ChildId);

/// <summary>Start a child from <paramref name="Spec"/> at <paramref name="Position"/> among the children, confirmed by its handshake.</summary>
internal sealed record AddOp(ChildSpec Spec, int Position) : UpgradeOp(Spec.Id);

/// <summary>Take <paramref name="Spec"/>'s settings (restart type, shutdown, significance, criticality, policies, tags) in place: same reference, same mailbox.</summary>
internal sealed record UpdateOp(ChildSpec Spec) : UpgradeOp(Spec.Id);

/// <summary>Stop the child's incarnation by its shutdown spec, then start one from <paramref name="Spec"/>, confirmed by its handshake.</summary>
internal sealed record ReplaceOp(ChildSpec Spec) : UpgradeOp(Spec.Id);

/// <summary>Upgrade a nested supervisor to <paramref name="Spec"/>'s supervisor spec by a plan of its own (it is not restarted).</summary>
internal sealed record UpgradeBelowOp(ChildSpec Spec) : UpgradeOp(Spec.Id);

/// <summary>Stop a dynamic supervisor's child, keeping its id, arguments and address, then start it again from <paramref name="Template"/>.</summary>
internal sealed record ReplaceTemplateOp(string ChildId, ChildTemplate Template) : UpgradeOp(ChildId);

/// <summary>
/// A step of a running upgrade: the changes made together (<paramref name="Do"/>), the changes that undo them, last first
/// (<paramref name="Undo"/>), and whether the children it changed are watched after it.
/// </summary>
internal sealed record UpgradeBatch(IReadOnlyList<UpgradeOp> Do, IReadOnlyList<UpgradeOp> Undo, bool Watch)
{
    /// <summary>The children it changes.</summary>
    public IReadOnlyList<string> Children => Do.Select(o => o.ChildId).ToList();

    /// <summary>
    /// The steps of <paramref name="plan"/>, in its order, batched by <paramref name="options"/>: the removed children together, the
    /// ones updated in place together, each nested supervisor alone (its own upgrade has its own canary and watch), the first
    /// <see cref="UpgradeOptions.CanaryCount"/> replaced children one at a time, then the rest and the added ones
    /// <see cref="UpgradeOptions.MaxOutOfService"/> at a time; replaced and added children are watched.
    /// </summary>
    public static IReadOnlyList<UpgradeBatch> Of(UpgradePlan plan, IReadOnlyList<ChildSpec> current, IReadOnlyList<ChildSpec> next, UpgradeOptions options)
    {
        var now = current.Select((c, i) => (c, i)).ToDictionary(x => x.c.Id, StringComparer.Ordinal);
        var then = next.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var batches = new List<UpgradeBatch>();
        var removes = new List<(UpgradeOp, UpgradeOp)>();
        var updates = new List<(UpgradeOp, UpgradeOp)>();
        var replaces = new List<(UpgradeOp, UpgradeOp)>();
        var adds = new List<(UpgradeOp, UpgradeOp)>();
        foreach (var step in plan.Steps)
        {
            switch (step)
            {
                case StopChildStep stop:
                    removes.Add((new RemoveOp(stop.ChildId), new AddOp(now[stop.ChildId].c, now[stop.ChildId].i)));
                    break;
                case UpdateChildStep update:
                    updates.Add((new UpdateOp(then[update.ChildId]), new UpdateOp(now[update.ChildId].c)));
                    break;
                case UpgradeNestedStep nested:
                    batches.Add(Batch([(new UpgradeBelowOp(then[nested.ChildId]), new UpgradeBelowOp(now[nested.ChildId].c))], watch: false));
                    break;
                case ReplaceChildStep replace:
                    replaces.Add((new ReplaceOp(then[replace.ChildId]), new ReplaceOp(now[replace.ChildId].c)));
                    break;
                case StartChildStep start:
                    adds.Add((new AddOp(then[start.ChildId], start.Position), new RemoveOp(start.ChildId)));
                    break;
            }
        }

        // Removed and updated children come first, then the nested supervisors (added in the loop above, in plan order).
        var nestedBatches = batches.ToList();
        batches.Clear();
        if (removes.Count > 0)
        {
            batches.Add(Batch(removes, watch: false));
        }

        if (updates.Count > 0)
        {
            batches.Add(Batch(updates, watch: false));
        }

        batches.AddRange(nestedBatches);
        var canaries = Math.Min(options.CanaryCount, replaces.Count);
        batches.AddRange(replaces.Take(canaries).Select(r => Batch([r], watch: true)));
        batches.AddRange(replaces.Skip(canaries).Chunk(options.MaxOutOfService).Select(c => Batch(c, watch: true)));
        batches.AddRange(adds.Chunk(options.MaxOutOfService).Select(c => Batch(c, watch: true)));
        return batches;
    }

    /// <summary>
    /// A dynamic supervisor's steps: its running children replaced from <paramref name="next"/> (undone from
    /// <paramref name="current"/>), the first <see cref="UpgradeOptions.CanaryCount"/> one at a time, then
    /// <see cref="UpgradeOptions.MaxOutOfService"/> at a time, each watched.
    /// </summary>
    public static IReadOnlyList<UpgradeBatch> OfDynamic(UpgradePlan plan, ChildTemplate current, ChildTemplate next, UpgradeOptions options)
    {
        var replaces = plan.Steps.OfType<ReplaceChildStep>().Select(r => ((UpgradeOp)new ReplaceTemplateOp(r.ChildId, next), (UpgradeOp)new ReplaceTemplateOp(r.ChildId, current))).ToList();
        var canaries = Math.Min(options.CanaryCount, replaces.Count);
        return
        [
            .. replaces.Take(canaries).Select(r => Batch([r], watch: true)),
            .. replaces.Skip(canaries).Chunk(options.MaxOutOfService).Select(c => Batch(c, watch: true)),
        ];
    }

    private static UpgradeBatch Batch(IReadOnlyList<(UpgradeOp Do, UpgradeOp Undo)> ops, bool watch) =>
        new(ops.Select(o => o.Do).ToList(), ops.Select(o => o.Undo).Reverse().ToList(), watch);
}
