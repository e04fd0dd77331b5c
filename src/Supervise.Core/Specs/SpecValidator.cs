using Akka.Actor;

namespace Supervise;

/// <summary>Checks a whole tree of specs and gathers every problem (pure; no actors).</summary>
internal static class SpecValidator
{
    public static IReadOnlyList<SpecProblem> Validate(SupervisionSpec? spec, string rootName)
    {
        var problems = new List<SpecProblem>();
        if (spec is null)
        {
            problems.Add(new(rootName, "spec", "a supervisor spec", "null"));
            return problems;
        }

        ValidateSupervisor(spec, rootName, problems);
        return problems;
    }

    /// <summary>Checks one child spec as a supervisor would before <c>StartChildAsync(spec)</c>.</summary>
    public static IReadOnlyList<SpecProblem> ValidateChild(ChildSpec? child, SupervisorSpec parent, string path)
    {
        var problems = new List<SpecProblem>();
        ValidateChild(child, "child", parent, path, problems);
        return problems;
    }

    private static void ValidateSupervisor(SupervisionSpec spec, string path, List<SpecProblem> problems)
    {
        if (spec.Intensity < 0)
        {
            problems.Add(new(path, "Intensity", "a number of restarts of 0 or more", spec.Intensity.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (spec.Period <= TimeSpan.Zero)
        {
            problems.Add(new(path, "Period", "a positive duration", spec.Period.ToString()));
        }

        switch (spec)
        {
            case SupervisorSpec s:
                ValidateStatic(s, path, problems);
                break;
            case DynamicSupervisorSpec d:
                ValidateDynamic(d, path, problems);
                break;
        }
    }

    private static void ValidateStatic(SupervisorSpec spec, string path, List<SpecProblem> problems)
    {
        if (!Enum.IsDefined(spec.Strategy))
        {
            problems.Add(new(path, "Strategy", "OneForOne, OneForAll or RestForOne", spec.Strategy.ToString()));
        }

        if (!Enum.IsDefined(spec.AutoShutdown))
        {
            problems.Add(new(path, "AutoShutdown", "Never, AnySignificant or AllSignificant", spec.AutoShutdown.ToString()));
        }

        if (spec.Children is null)
        {
            problems.Add(new(path, "Children", "a list of child specs (empty is allowed)", "null"));
            return;
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < spec.Children.Count; i++)
        {
            var child = spec.Children[i];
            var field = $"Children[{i}]";
            ValidateChild(child, field, spec, path, problems);
            if (child?.Id is { Length: > 0 } id)
            {
                if (seen.TryGetValue(id, out var first))
                {
                    problems.Add(new(path, field + ".Id", "an id unique among its siblings", $"\"{id}\", already the id of Children[{first}]"));
                }
                else
                {
                    seen[id] = i;
                }
            }
        }
    }

    private static void ValidateChild(ChildSpec? child, string field, SupervisorSpec parent, string path, List<SpecProblem> problems)
    {
        if (child is null)
        {
            problems.Add(new(path, field, "a child spec", "null"));
            return;
        }

        var label = string.IsNullOrWhiteSpace(child.Id) ? field : $"{field} (\"{child.Id}\")";
        if (string.IsNullOrWhiteSpace(child.Id))
        {
            problems.Add(new(path, field + ".Id", "a non-empty id", child.Id is null ? "null" : $"\"{child.Id}\""));
        }
        else if (!ActorPath.IsValidPathElement(child.Id))
        {
            problems.Add(new(path, label + ".Id", "an id usable as an actor name (letters, digits and -_.*$+:@&=,!~';, not starting with $)", $"\"{child.Id}\""));
        }

        if (!Enum.IsDefined(child.Restart))
        {
            problems.Add(new(path, label + ".Restart", "Permanent, Transient or Temporary", child.Restart.ToString()));
        }

        if (!Enum.IsDefined(child.Kind))
        {
            problems.Add(new(path, label + ".Kind", "Worker or Supervisor", child.Kind.ToString()));
        }

        if (!Enum.IsDefined(child.Criticality))
        {
            problems.Add(new(path, label + ".Criticality", "Critical, Important or Optional", child.Criticality.ToString()));
        }

        ValidateShutdown(child.Shutdown, label, path, problems);
        ValidatePolicies(child.Policies, parent, child.Kind, child.Restart, label, path, problems);

        if (child.Supervisor is not null && child.Start is not null)
        {
            problems.Add(new(path, label + ".Start", "either a props factory or a nested supervisor spec", "both"));
        }
        else if (child.Supervisor is null && child.Start is null)
        {
            problems.Add(new(path, label + ".Start", "a props factory", "null"));
        }

        if (child.Supervisor is null && child.Start is not null && child.Kind == ChildKind.Supervisor)
        {
            // The health walk, GetSupervisorAsync and the fault injector read a Supervisor child as a Supervise supervisor.
            problems.Add(new(path, label + ".Kind", "Worker for a child started from props (a nested supervisor is ChildSpec.ForSupervisor(id, spec))", "Supervisor"));
        }

        if (child.Supervisor is not null)
        {
            if (child.Kind != ChildKind.Supervisor)
            {
                problems.Add(new(path, label + ".Kind", "Supervisor for a child with a nested supervisor spec", child.Kind.ToString()));
            }

            var childPath = string.IsNullOrWhiteSpace(child.Id) ? $"{path}/{field}" : $"{path}/{child.Id}";
            ValidateSupervisor(child.Supervisor, childPath, problems);
        }

        if (child.Significant)
        {
            if (child.Restart == RestartType.Permanent)
            {
                problems.Add(new(path, label + ".Significant", "significant children to be Transient or Temporary", "a significant Permanent child"));
            }

            if (parent.AutoShutdown == AutoShutdown.Never)
            {
                problems.Add(new(path, label + ".Significant", "no significant children under AutoShutdown.Never", "a significant child"));
            }
        }
    }

    private static void ValidateDynamic(DynamicSupervisorSpec spec, string path, List<SpecProblem> problems)
    {
        if (spec.MaxChildren is < 1)
        {
            problems.Add(new(path, "MaxChildren", "null (no limit) or 1 or more", spec.MaxChildren.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (spec.Template is null)
        {
            problems.Add(new(path, "Template", "a child template", "null"));
            return;
        }

        if (spec.Template.Start is null)
        {
            problems.Add(new(path, "Template.Start", "a props factory", "null"));
        }

        if (!Enum.IsDefined(spec.Template.Restart))
        {
            problems.Add(new(path, "Template.Restart", "Permanent, Transient or Temporary", spec.Template.Restart.ToString()));
        }

        if (spec.Template.Kind != ChildKind.Worker)
        {
            // A template's factory makes plain actors; the health walk and GetSupervisorAsync would read a Supervisor as a Supervise supervisor.
            problems.Add(new(path, "Template.Kind", "Worker (a template's factory makes plain actors; a nested supervisor is ChildSpec.ForSupervisor in a static spec)", spec.Template.Kind.ToString()));
        }

        if (!Enum.IsDefined(spec.Template.Criticality))
        {
            problems.Add(new(path, "Template.Criticality", "Critical, Important or Optional", spec.Template.Criticality.ToString()));
        }

        ValidateShutdown(spec.Template.Shutdown, "Template", path, problems);
        ValidatePolicies(spec.Template.Policies, spec, spec.Template.Kind, spec.Template.Restart, "Template", path, problems);
    }

    /// <summary>
    /// Checks the policies in force for one child: its own, or else its supervisor's defaults. At most one per
    /// concern, each in range, and each meaningful for the child's kind and restart type.
    /// </summary>
    private static void ValidatePolicies(IReadOnlyList<DegradationPolicy>? own, SupervisionSpec parent, ChildKind kind, RestartType restart, string label, string path, List<SpecProblem> problems)
    {
        var defaults = parent.DefaultPolicies;
        var field = own is not null ? label + ".Policies" : label + ".Policies (from DefaultPolicies)";
        var policies = own ?? defaults;
        if (policies is null)
        {
            problems.Add(new(path, field, "a list of degradation policies (empty is allowed)", "null"));
            return;
        }

        var byConcern = new Dictionary<PolicyConcern, DegradationPolicy>();
        for (var i = 0; i < policies.Count; i++)
        {
            var policy = policies[i];
            var at = $"{field}[{i}]";
            if (policy is null)
            {
                problems.Add(new(path, at, "a degradation policy", "null"));
                continue;
            }

            policy.Validate((name, expected, received) => problems.Add(new(path, $"{at}.{name}", expected, received)));
            if (byConcern.TryGetValue(policy.Concern, out var first))
            {
                problems.Add(new(path, at, $"at most one {ConcernName(policy.Concern)} policy", $"both {first.Describe()} and {policy.Describe()}"));
                continue;
            }

            byConcern[policy.Concern] = policy;
            if (kind == ChildKind.Supervisor && policy.Concern is PolicyConcern.WhileDown or PolicyConcern.InFlight)
            {
                problems.Add(new(path, at, "no Reject, Buffer, Fallback, Requeue or Quarantine for a supervisor child (nobody sends it work)", policy.Describe()));
            }
            else if (restart == RestartType.Temporary && policy is not (EscalatePolicy or RejectPolicy))
            {
                problems.Add(new(path, at, "Escalate or Reject only, for a Temporary child, which is never restarted", policy.Describe()));
            }
        }

        // A poison message is set aside on its After-th crash in a row: the child must still be there then.
        // That crash is also restart number After: under Escalate it must be allowed; a contained child is
        // stopped only after its message was set aside, so one more is fine. A breaker must not open earlier.
        if (byConcern.GetValueOrDefault(PolicyConcern.InFlight) is QuarantinePolicy { After: > 0 } quarantine && parent.Intensity >= 0)
        {
            var giveUp = byConcern.GetValueOrDefault(PolicyConcern.GiveUp);
            if (giveUp is CircuitBreakerPolicy { Failures: > 0 } breaker && breaker.Failures < quarantine.After)
            {
                problems.Add(new(path, field, $"a circuit breaker that allows at least as many crashes as Quarantine sets aside after (Failures of {quarantine.After} or more)", $"{breaker.Describe()} with {quarantine.Describe()}: the breaker opens first"));
            }
            else if (giveUp is null or EscalatePolicy && quarantine.After > parent.Intensity)
            {
                problems.Add(new(path, field, $"Quarantine After of at most the supervisor's Intensity ({parent.Intensity}), so the message is set aside before the supervisor gives up", quarantine.Describe()));
            }
            else if (giveUp is IsolatePolicy or CircuitBreakerPolicy && quarantine.After > parent.Intensity + 1)
            {
                problems.Add(new(path, field, $"Quarantine After of at most the supervisor's Intensity + 1 ({parent.Intensity + 1}), so the message is set aside before the child is contained", quarantine.Describe()));
            }
        }
    }

    private static string ConcernName(PolicyConcern concern) => concern switch
    {
        PolicyConcern.GiveUp => "give-up (Escalate, Isolate or CircuitBreaker)",
        PolicyConcern.WhileDown => "while-down (Reject, Buffer or Fallback)",
        PolicyConcern.RestartTiming => "restart timing (Backoff)",
        _ => "in-flight message (Requeue or Quarantine)",
    };

    private static void ValidateShutdown(Shutdown? shutdown, string label, string path, List<SpecProblem> problems)
    {
        // A timer waits at most about 49.7 days: a longer timeout would fail the stop itself. Infinity says "wait as long as it takes".
        if (shutdown is { Mode: ShutdownMode.Timeout } && (shutdown.TimeoutValue < TimeSpan.Zero || shutdown.TimeoutValue > PolicyChecks.MaxTimer))
        {
            problems.Add(new(path, label + ".Shutdown", "a timeout from zero to 49 days (or BrutalKill, or Infinity to wait as long as it takes)", shutdown.TimeoutValue.ToString()));
        }
    }
}
