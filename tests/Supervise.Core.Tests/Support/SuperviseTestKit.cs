using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Support;

/// <summary>
/// Base for runtime tests: virtual time (a FakeTimeProvider given to every tree), a probe that receives
/// every supervision event, and a probe that receives the lifecycle of every test worker.
/// </summary>
public abstract class SuperviseTestKit : Akka.TestKit.Xunit2.TestKit
{
    private static readonly Config TestConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = ERROR
        akka.stdout-loglevel = ERROR
        akka.log-dead-letters = off
        akka.log-dead-letters-during-shutdown = off
        akka.test.single-expect-default = 10s
        """);

    protected SuperviseTestKit(ITestOutputHelper output)
        : base(TestConfig, output: output)
    {
        Events = CreateTestProbe("events");
        Sys.EventStream.Subscribe(Events.Ref, typeof(SupervisionEvent));
        Life = CreateTestProbe("life");
    }

    /// <summary>The clock and timers of every tree started here.</summary>
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>Receives every <see cref="SupervisionEvent"/>.</summary>
    protected TestProbe Events { get; }

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
        (T)Events.FishForMessage(m => m is T t && (match is null || match(t)), hint: typeof(T).Name);

    /// <summary>Fails if any supervision event other than a health change arrives within <paramref name="duration"/>.</summary>
    protected void ExpectNoSupervisionAction(TimeSpan duration)
    {
        var events = Events.ReceiveWhile(duration, m => m);
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
