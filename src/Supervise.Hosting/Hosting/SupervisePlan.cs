using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Supervise.Hosting;

/// <summary>
/// What the host will start: the options, and every tree's spec and options with configuration applied. Made once, when the
/// options are validated (<see cref="SuperviseOptionsValidator"/>, on the host's start with <c>ValidateOnStart</c>): every
/// problem, configuration and specs together, fails the start in one <see cref="SuperviseConfigurationException"/>.
/// </summary>
internal sealed class SupervisePlan(IServiceProvider services, SuperviseBuilder builder)
{
    private readonly Lock _gate = new();
    private (SuperviseOptions Options, List<(string Name, SupervisionSpec Spec, TreeOptions Options)> Plan)? _made;

    private SuperviseConfigurationSection? Section => services.GetService<SuperviseConfigurationSection>();

    /// <summary>The plan for the bound <paramref name="options"/>: made once (the spec factories run once), or every problem thrown.</summary>
    public (SuperviseOptions Options, List<(string Name, SupervisionSpec Spec, TreeOptions Options)> Plan) Made(SuperviseOptions options)
    {
        lock (_gate)
        {
            return _made ??= Make(options, []);
        }
    }

    /// <summary>
    /// Before the binder reads the section: keys it would skip and values it cannot convert fail the start with today's
    /// messages, every one (and every spec problem beside them), instead of the binder's first.
    /// </summary>
    public void CheckSection()
    {
        lock (_gate)
        {
            if (_made is not null)
            {
                return; // started: a reload is checked by ConfigurationReload, which refuses it and logs why instead of throwing
            }
        }

        if (Section is { } section && section.Problems().ToList() is { Count: > 0 } problems)
        {
            Make(section.BindAsFarAsItGoes(), problems);
        }
    }

    /// <summary>
    /// The plan for the section as it reads now (a reload): every tree's spec made again by its factory, with the settings
    /// applied; or every problem, configuration and specs together, and no plan.
    /// </summary>
    public (List<(string Name, SupervisionSpec Spec, TreeOptions Options)>? Plan, IReadOnlyList<string> Problems) Remake()
    {
        if (Section is not { } section)
        {
            return (null, ["no configuration section is bound (AddSupervise was given none)"]);
        }

        try
        {
            return (Make(section.BindAsFarAsItGoes(), section.Problems().ToList()).Plan, []);
        }
        catch (SuperviseConfigurationException e)
        {
            return (null, e.Problems);
        }
    }

    /// <summary>The options and every tree's spec and options as they will start; every problem found, at once (configuration and specs together).</summary>
    private (SuperviseOptions Options, List<(string Name, SupervisionSpec Spec, TreeOptions Options)> Plan) Make(SuperviseOptions options, IEnumerable<string> sectionProblems)
    {
        var problems = new List<string>(sectionProblems);
        var prefix = Section?.Path ?? "Supervise";

        if (!IsActorSystemName(options.ActorSystemName))
        {
            problems.Add($"{prefix}:ActorSystemName: expected a letter or digit, then letters, digits, '-' or '_', received '{options.ActorSystemName}'");
        }

        var declared = builder.Trees.Select(t => t.Name).ToList();
        foreach (var name in options.Trees.Keys.Where(k => !declared.Contains(k, StringComparer.Ordinal)))
        {
            problems.Add($"{prefix}:Trees:{name}: expected the name of a tree declared in code ({string.Join(", ", declared)}), received '{name}'");
        }

        var plan = new List<(string, SupervisionSpec, TreeOptions)>();
        foreach (var tree in builder.Trees)
        {
            var settings = options.Trees.GetValueOrDefault(tree.Name) ?? new TreeSettings();
            var at = $"{prefix}:Trees:{tree.Name}";
            if (!settings.Enabled)
            {
                continue;
            }

            SupervisionSpec spec;
            try
            {
                spec = tree.Spec(services) ?? throw new InvalidOperationException("the spec factory returned null");
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                problems.Add($"{tree.Name}: its spec could not be made: {e.GetType().Name}: {e.Message}");
                continue;
            }

            if (settings.Intensity is { } intensity)
            {
                if (intensity < 0)
                {
                    problems.Add($"{at}:Intensity: expected 0 or more restarts, received {intensity}");
                }
                else
                {
                    spec = spec with { Intensity = intensity };
                }
            }

            if (settings.Period is { } period)
            {
                if (period <= TimeSpan.Zero)
                {
                    problems.Add($"{at}:Period: expected a positive time span, received {period}");
                }
                else
                {
                    spec = spec with { Period = period };
                }
            }

            if (settings.Strategy is { } strategy)
            {
                if (spec is SupervisorSpec s)
                {
                    spec = s with { Strategy = strategy };
                }
                else
                {
                    problems.Add($"{at}:Strategy: expected no strategy for a dynamic supervisor (its children are alike), received {strategy}");
                }
            }

            var treeOptions = new TreeOptions { Name = tree.Name };
            try
            {
                treeOptions = tree.Options?.Invoke(treeOptions) ?? treeOptions;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                problems.Add($"{tree.Name}: its options could not be made: {e.GetType().Name}: {e.Message}");
                continue;
            }

            if (settings.CallTimeout is { } callTimeout)
            {
                if (callTimeout <= TimeSpan.Zero || callTimeout > TimeSpan.FromDays(49))
                {
                    problems.Add($"{at}:CallTimeout: expected a positive time span of at most 49 days, received {callTimeout}");
                }

                treeOptions = treeOptions with { CallTimeout = callTimeout };
            }

            if (treeOptions.Name != tree.Name)
            {
                problems.Add($"{tree.Name}: TreeOptions.Name: expected '{tree.Name}' (the name it was declared with), received '{treeOptions.Name}'");
            }

            problems.AddRange(spec.Validate(tree.Name).Select(p => p.ToString()));
            plan.Add((tree.Name, spec, treeOptions));
        }

        if (problems.Count > 0)
        {
            throw new SuperviseConfigurationException(problems);
        }

        return (options, plan);
    }

    private static bool IsActorSystemName(string? name) =>
        !string.IsNullOrEmpty(name) && char.IsAsciiLetterOrDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

}

/// <summary>Checks the configuration section before it is bound (registered before the binder).</summary>
internal sealed class SuperviseSectionCheck(SupervisePlan plan) : IConfigureOptions<SuperviseOptions>
{
    public void Configure(SuperviseOptions options) => plan.CheckSection();
}

/// <summary>Supervise's options, validated by the conventions (<c>ValidateOnStart</c>): the plan is made, or every problem thrown.</summary>
internal sealed class SuperviseOptionsValidator(SupervisePlan plan) : IValidateOptions<SuperviseOptions>
{
    public ValidateOptionsResult Validate(string? name, SuperviseOptions options)
    {
        plan.Made(options);
        return ValidateOptionsResult.Success;
    }
}
