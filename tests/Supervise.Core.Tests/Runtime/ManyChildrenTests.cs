using Akka.Actor;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Runtime;

/// <summary>OTP supervisor_SUITE "many children" cases: start and stop 10,000 children.</summary>
public sealed class ManyChildrenTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    private const int Count = 10_000;

    [Fact]
    public async Task A_static_supervisor_starts_and_stops_ten_thousand_children_in_order()
    {
        var started = new int[1];
        var stopped = new int[1];
        var spec = new SupervisorSpec
        {
            Children = Enumerable.Range(0, Count)
                .Select(i => ChildSpec.Worker("w" + i, Props.Create(() => new Counting(started, stopped))))
                .ToList(),
        };

        var tree = await StartTreeAsync(spec);

        Assert.Equal(Count, Volatile.Read(ref started[0]));
        var counts = await tree.Root.CountChildrenAsync();
        Assert.Equal((Count, Count), (counts.Specs, counts.Active));
        await tree.StopAsync();
        Assert.Equal(Count, Volatile.Read(ref stopped[0]));
    }

    [Fact]
    public async Task A_dynamic_supervisor_starts_and_stops_ten_thousand_children()
    {
        var started = new int[1];
        var stopped = new int[1];
        var tree = await StartTreeAsync(new DynamicSupervisorSpec(new ChildTemplate(_ => Props.Create(() => new Counting(started, stopped)))));

        var starts = Enumerable.Range(0, Count).Select(i => tree.Root.StartChildAsync((object)i)).ToList();
        var results = await Task.WhenAll(starts);

        Assert.All(results, r => Assert.IsType<StartChildResult.Started>(r));
        Assert.Equal(Count, (await tree.Root.CountChildrenAsync()).Active);
        await tree.StopAsync();
        Assert.Equal(Count, Volatile.Read(ref stopped[0]));
    }

    private sealed class Counting : ReceiveActor
    {
        private readonly int[] _stopped;

        public Counting(int[] started, int[] stopped)
        {
            _stopped = stopped;
            Interlocked.Increment(ref started[0]);
        }

        protected override void PostStop() => Interlocked.Increment(ref _stopped[0]);
    }
}
