using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Support;

/// <summary>
/// Base for runtime tests: the shipped kit (virtual time on <c>Time</c>, every supervision event on
/// <c>Events</c>) and a probe that receives the lifecycle of every test worker.
/// </summary>
public abstract class SuperviseTestKit : Supervise.Testing.SuperviseTestKit
{
    private static readonly Config TestConfig = ConfigurationFactory.ParseString("akka.test.single-expect-default = 10s");

    protected SuperviseTestKit(ITestOutputHelper output)
        : base(output, TestConfig)
    {
        Life = CreateTestProbe("life");
    }

    /// <summary>Receives <see cref="Up"/>, <see cref="Down"/> and <see cref="Got"/> from test workers.</summary>
    protected TestProbe Life { get; }

    protected ChildSpec Worker(string id, WorkerScript? script = null)
    {
        script ??= new WorkerScript();
        return ChildSpec.Worker(id, () => TestWorker.Props(id, Life.Ref, script));
    }

    protected Task<SupervisionTree> StartTreeAsync(SupervisionSpec spec, TreeOptions? options = null) =>
        Sys.StartTreeAsync(spec, (options ?? new TreeOptions { Name = "t" }) with { TimeProvider = Time });

    /// <summary>Waits for the next event of type <typeparamref name="T"/> that matches, skipping others.</summary>
    protected T ExpectEvent<T>(Func<T, bool>? match = null)
        where T : SupervisionEvent =>
        ExpectSupervisionEvent(match);

    /// <summary>Settles the tree at this instant of virtual time, then fails if any supervision event other than a health change came.</summary>
    protected async Task ExpectNoSupervisionActionAsync(SupervisionTree tree) =>
        AssertNoAction(await SettledEventsAsync(tree));

    /// <summary>
    /// For a tree that cannot settle (it is stopping, a child is stuck): waits until <paramref name="supervisors"/> have
    /// handled all they were sent (a timer that fired included), then fails if any event other than a health change came.
    /// </summary>
    protected async Task ExpectNoSupervisionActionOnceCaughtUpAsync(params IActorRef[] supervisors)
    {
        await CaughtUpAsync(supervisors);
        AssertNoAction(ReceivedSoFar(Events));
    }

    /// <summary>The <see cref="Life"/> messages received until (and with) the first of type <typeparamref name="T"/>.</summary>
    protected IReadOnlyList<object> LifeUntil<T>()
    {
        var seen = new List<object>();
        Life.FishForMessage(m =>
        {
            seen.Add(m);
            return m is T;
        });
        return seen;
    }

    private static void AssertNoAction(IEnumerable<object> events)
    {
        var actions = events.Where(e => e is not HealthChanged).ToList();
        Assert.True(actions.Count == 0, "expected no supervision event, received: " + string.Join(", ", actions));
    }

    /// <summary>Waits for the next lifecycle message of type <typeparamref name="T"/> that matches, skipping others.</summary>
    protected T ExpectLife<T>(Func<T, bool>? match = null) =>
        (T)Life.FishForMessage(m => m is T t && (match is null || match(t)), hint: typeof(T).Name);

    /// <summary>The ids in the order their next <see cref="Up"/> reports arrive.</summary>
    protected IReadOnlyList<string> ExpectUps(int count) =>
        Enumerable.Range(0, count).Select(_ => ExpectLife<Up>().Id).ToList();

    /// <summary>The ids in the order their next <see cref="Down"/> reports arrive.</summary>
    protected IReadOnlyList<string> ExpectDowns(int count) =>
        Enumerable.Range(0, count).Select(_ => ExpectLife<Down>().Id).ToList();

    protected static async Task<IActorRef> ChildRef(SupervisorHandle supervisor, string id)
    {
        var children = await supervisor.WhichChildrenAsync();
        return children.Single(c => c.Id == id).Child ?? throw new InvalidOperationException($"{id} is not running");
    }
}
