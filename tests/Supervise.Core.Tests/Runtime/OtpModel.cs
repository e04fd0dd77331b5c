namespace Supervise.Tests.Runtime;

/// <summary>
/// A pure model of OTP's rules for a static tree whose workers crash: which workers get a new
/// incarnation and which supervisors give up. The stress test checks the real tree against it.
/// </summary>
internal sealed class OtpModel
{
    public OtpModel(ModelSupervisor root) => Root = root;

    public ModelSupervisor Root { get; }

    public bool RootGaveUp { get; private set; }

    /// <summary>Applies a crash of <paramref name="worker"/> at <paramref name="now"/>.</summary>
    public (HashSet<string> Restarted, List<string> GaveUp) Crash(ModelChild worker, TimeSpan now)
    {
        var restarted = new HashSet<string>(StringComparer.Ordinal);
        var gaveUp = new List<string>();
        var child = worker;
        var supervisor = worker.Parent;
        while (true)
        {
            if (child.Restart == RestartType.Temporary)
            {
                supervisor.Present.Remove(child);
                return (restarted, gaveUp);
            }

            if (!supervisor.Window.Record(now).Exceeded)
            {
                RestartBlastRadius(supervisor, child, restarted);
                return (restarted, gaveUp);
            }

            gaveUp.Add(supervisor.Path);
            if (supervisor.Parent is null)
            {
                RootGaveUp = true;
                return (restarted, gaveUp);
            }

            // The supervisor fails to its parent like any crashing child: that is escalation.
            child = supervisor.AsChild!;
            supervisor = supervisor.Parent;
        }
    }

    private static void RestartBlastRadius(ModelSupervisor supervisor, ModelChild failed, HashSet<string> restarted)
    {
        var index = supervisor.Present.IndexOf(failed);
        var range = supervisor.Strategy switch { Strategy.OneForAll => 0..supervisor.Present.Count, Strategy.RestForOne => index..supervisor.Present.Count, _ => index..(index + 1) };
        foreach (var child in supervisor.Present.Take(range).ToList())
        {
            if (child != failed && child.Restart == RestartType.Temporary)
            {
                supervisor.Present.Remove(child);
                continue;
            }

            Restart(child, restarted);
        }
    }

    /// <summary>A restarted worker is a new incarnation; a restarted supervisor starts fresh from its spec.</summary>
    private static void Restart(ModelChild child, HashSet<string> restarted)
    {
        if (child.Supervisor is null)
        {
            restarted.Add(child.Path);
            return;
        }

        child.Supervisor.Reset();
        foreach (var grandchild in child.Supervisor.Present)
        {
            Restart(grandchild, restarted);
        }
    }
}

internal sealed class ModelSupervisor
{
    public ModelSupervisor(string path, Strategy strategy, int intensity, TimeSpan period, ModelSupervisor? parent)
    {
        Path = path;
        Strategy = strategy;
        Intensity = intensity;
        Period = period;
        Parent = parent;
        Window = new RestartWindow(intensity, period);
    }

    public string Path { get; }

    public Strategy Strategy { get; }

    public int Intensity { get; }

    public TimeSpan Period { get; }

    public ModelSupervisor? Parent { get; }

    public ModelChild? AsChild { get; set; }

    public List<ModelChild> Spec { get; } = [];

    public List<ModelChild> Present { get; } = [];

    public RestartWindow Window { get; private set; }

    public void Reset()
    {
        Window = new RestartWindow(Intensity, Period);
        Present.Clear();
        Present.AddRange(Spec);
    }

    public IEnumerable<ModelChild> PresentWorkers() =>
        Present.SelectMany(c => c.Supervisor is null ? [c] : c.Supervisor.PresentWorkers());
}

internal sealed class ModelChild
{
    public ModelChild(string path, RestartType restart, ModelSupervisor parent, ModelSupervisor? supervisor)
    {
        Path = path;
        Restart = restart;
        Parent = parent;
        Supervisor = supervisor;
    }

    public string Path { get; }

    public RestartType Restart { get; }

    public ModelSupervisor Parent { get; }

    public ModelSupervisor? Supervisor { get; }
}
