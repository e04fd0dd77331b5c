using Akka.Actor;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Supervise.Tests.Docs;

// The code of docs/concepts/supervision.md. Each ```csharp block in that page is a verbatim excerpt of
// this file (DocSnippetTests checks it), so the page's examples compile and run as tests.
public sealed class SupervisionGuideExamples : IDisposable
{
    private readonly Akka.TestKit.Xunit2.TestKit _kit = new("akka.loglevel = OFF");

    public void Dispose() => _kit.Dispose();

    public sealed class Counter : ReceiveActor
    {
        private int _count;

        public Counter()
        {
            Receive<string>(s => s == "crash", _ => throw new InvalidOperationException("boom"));
            Receive<string>(_ => Sender.Tell(++_count));
        }
    }

    [Fact]
    public async Task A_crash_and_a_restart()
    {
        var system = _kit.Sys;

        var tree = await system.StartTreeAsync(new SupervisorSpec
        {
            Children = [ChildSpec.Worker("counter", Props.Create<Counter>())],
        });
        var counter = (await tree.Root.WhichChildrenAsync())[0].Child!;

        var first = await counter.Ask<int>("hit");   // 1
        var second = await counter.Ask<int>("hit");  // 2
        counter.Tell("crash");                       // Counter throws; its supervisor restarts it
        var third = await counter.Ask<int>("hit");   // 1: a fresh incarnation at the same address

        Assert.Equal((1, 2, 1), (first, second, third));
    }

    [Fact]
    public async Task A_tree_of_specs()
    {
        var system = _kit.Sys;

        var db = ChildSpec.Worker("db", Props.Create<Counter>()) with
        {
            Restart = RestartType.Permanent,                    // the default
            Shutdown = Shutdown.Timeout(TimeSpan.FromSeconds(10)),
        };
        var cache = ChildSpec.Worker("cache", Props.Create<Counter>()) with { Restart = RestartType.Transient };
        var jobs = ChildSpec.ForSupervisor("jobs", new DynamicSupervisorSpec(
            new ChildTemplate(args => Props.Create<Counter>()) { Restart = RestartType.Temporary })
        {
            MaxChildren = 100,
        });

        var spec = new SupervisorSpec
        {
            Strategy = Strategy.RestForOne,   // cache and jobs depend on db
            Intensity = 3,
            Period = TimeSpan.FromSeconds(5),
            Children = [db, cache, jobs],
        };

        var tree = await system.StartTreeAsync(spec, new TreeOptions { Name = "app" });

        Assert.Equal(3, (await tree.Root.CountChildrenAsync()).Active);
    }

    [Fact]
    public void Validation_lists_every_problem()
    {
        var broken = new SupervisorSpec
        {
            Intensity = -1,
            Children = [ChildSpec.Worker("a", Props.Create<Counter>()), ChildSpec.Worker("a", Props.Create<Counter>())],
        };

        foreach (var problem in broken.Validate("app"))
        {
            Console.WriteLine(problem);
        }

        // app: Intensity: expected a number of restarts of 0 or more, received -1
        // app: Children[1].Id: expected an id unique among its siblings, received "a", already the id of Children[0]
        Assert.Equal(2, broken.Validate("app").Count);
    }

    [Fact]
    public async Task Giving_up_and_escalating()
    {
        var system = _kit.Sys;

        var inner = new SupervisorSpec { Intensity = 1, Children = [ChildSpec.Worker("flaky", Props.Create<Counter>())] };
        var tree = await system.StartTreeAsync(new SupervisorSpec
        {
            Children = [ChildSpec.ForSupervisor("inner", inner), ChildSpec.Worker("steady", Props.Create<Counter>())],
        }, new TreeOptions { Name = "escalation" });
        var flaky = (await (await tree.GetSupervisorAsync("inner")).WhichChildrenAsync())[0].Child!;
        var steady = (await tree.Root.WhichChildrenAsync())[1].Child!;
        await steady.Ask<int>("hit");

        flaky.Tell("crash"); // restart 1 of 1 allowed: fine
        flaky.Tell("crash"); // restart 2: "inner" gives up and fails to the root, which restarts it

        // A fresh "inner" and a fresh flaky; "steady", in another subtree, is untouched.

        var fresh = await AwaitFreshFlakyAsync(tree, flaky);
        Assert.Equal(1, await fresh.Ask<int>("hit"));
        Assert.Equal(2, await steady.Ask<int>("hit"));
    }

    [Fact]
    public async Task Virtual_time()
    {
        var system = _kit.Sys;

        var time = new FakeTimeProvider();
        var tree = await system.StartTreeAsync(
            new SupervisorSpec { Intensity = 1, Period = TimeSpan.FromSeconds(5), Children = [ChildSpec.Worker("w", Props.Create<Counter>())] },
            new TreeOptions { Name = "virtual", TimeProvider = time });
        var w = (await tree.Root.WhichChildrenAsync())[0].Child!;

        w.Tell("crash");
        await w.Ask<int>("hit");
        time.Advance(TimeSpan.FromSeconds(6));   // the first restart leaves the window
        w.Tell("crash");                         // so this one is allowed too

        Assert.Equal(1, await w.Ask<int>("hit"));
        Assert.False(tree.Completion.IsCompleted);
    }

    private async Task<IActorRef> AwaitFreshFlakyAsync(SupervisionTree tree, IActorRef old)
    {
        IActorRef? fresh = null;
        await _kit.AwaitAssertAsync(async () =>
        {
            var inner = await tree.GetSupervisorAsync("inner");
            var children = await inner.WhichChildrenAsync();
            Assert.True(children.Count == 1 && children[0].Child is { } current && !current.Equals(old));
            fresh = children[0].Child;
        });
        return fresh!;
    }
}
