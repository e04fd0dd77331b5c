using Akka.Actor;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Supervise.Tests.Docs;

// The code of docs/concepts/degradation.md. Each ```csharp block in that page is a verbatim excerpt of
// this file (DocSnippetTests checks it), so the page's examples compile and run as tests.
public sealed class DegradationGuideExamples : IDisposable
{
    private readonly Akka.TestKit.Xunit2.TestKit _kit = new("akka.loglevel = OFF");
    private readonly FakeTimeProvider _time = new();

    public void Dispose() => _kit.Dispose();

    public sealed record Recommend(string Customer);

    public sealed class Recommender : ReceiveActor
    {
        public Recommender()
        {
            Receive<Recommend>(r => r.Customer == "crash", _ => throw new InvalidOperationException("model not loaded"));
            Receive<Recommend>(r => Sender.Tell($"picked for {r.Customer}"));
        }
    }

    public sealed class TopSellers : ReceiveActor
    {
        public TopSellers() => Receive<Recommend>(_ => Sender.Tell("this week's top sellers"));
    }

    private Task<SupervisionTree> StartAsync(SupervisorSpec spec) =>
        _kit.Sys.StartTreeAsync(spec, new TreeOptions { Name = "shop", TimeProvider = _time });

    [Fact]
    public async Task A_breaker_with_a_fallback()
    {
        var recommendations = ChildSpec.Worker("recommendations", Props.Create<Recommender>()) with
        {
            Criticality = Criticality.Optional,
            Policies =
            [
                Policy.CircuitBreaker(failures: 2, window: TimeSpan.FromSeconds(30), cooldown: TimeSpan.FromSeconds(5)),
                Policy.Fallback(Props.Create<TopSellers>()),
            ],
        };
        var tree = await StartAsync(new SupervisorSpec { Children = [recommendations] });
        var address = await tree.Root.GetChildAsync("recommendations");

        address.Tell(new Recommend("crash"));   // restarted
        address.Tell(new Recommend("crash"));   // second crash in 30 s: the breaker opens
        await AwaitBreakerAsync(tree, CircuitState.Open);
        var answer = await address.AskAsync<string>(new Recommend("ann"));   // the stand-in answers

        _time.Advance(TimeSpan.FromSeconds(5));   // cool-down over: one probe restart
        await AwaitBreakerAsync(tree, CircuitState.HalfOpen);
        _time.Advance(TimeSpan.FromSeconds(1));   // the probe ran for ProbeTime: closed
        await AwaitBreakerAsync(tree, CircuitState.Closed);
        var later = await address.AskAsync<string>(new Recommend("ann"));

        Assert.Equal(("this week's top sellers", "picked for ann"), (answer, later));
    }

    [Fact]
    public async Task Reject_while_down()
    {
        var tree = await StartAsync(new SupervisorSpec
        {
            Intensity = 0,
            Children = [ChildSpec.Worker("recommendations", Props.Create<Recommender>()) with { Policies = [Policy.Isolate(), Policy.Reject()] }],
        });
        var address = await tree.Root.GetChildAsync("recommendations");
        address.Tell(new Recommend("crash"));   // intensity 0: isolated at once
        await AwaitHealthAsync(tree, HealthState.Degraded);

        string shown;
        try
        {
            shown = await address.AskAsync<string>(new Recommend("ann"));
        }
        catch (ChildUnavailableException e)
        {
            shown = $"no recommendations right now ({e.Reply.Reason})";
        }

        Assert.Equal("no recommendations right now (it was isolated after exceeding its supervisor's restart intensity)", shown);
    }

    [Fact]
    public async Task Backoff_and_buffer()
    {
        var payments = ChildSpec.Worker("payments", Props.Create<Recommender>()) with
        {
            Policies =
            [
                Policy.Backoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10)) with { Seed = 7 },
                Policy.Buffer(capacity: 1_000),
            ],
        };
        var tree = await StartAsync(new SupervisorSpec { Children = [payments] });
        var address = await tree.Root.GetChildAsync("payments");
        address.Tell(new Recommend("crash"));
        await AwaitHealthAsync(tree, HealthState.Degraded);

        var reply = address.AskAsync<string>(new Recommend("bob"));   // held while the restart waits
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal("picked for bob", await reply);
    }

    [Fact]
    public async Task Quarantine_a_poison_message()
    {
        var tree = await StartAsync(new SupervisorSpec
        {
            Intensity = 5,
            Children = [ChildSpec.Worker("recommendations", Props.Create<Recommender>()) with { Policies = [Policy.Quarantine(after: 2)] }],
        });
        var address = await tree.Root.GetChildAsync("recommendations");

        address.Tell(new Recommend("crash"));   // crashes, is handed back first, crashes again: set aside
        var next = await address.AskAsync<string>(new Recommend("cy"));
        var quarantined = await tree.Root.GetQuarantinedAsync();

        Assert.Equal("picked for cy", next);
        Assert.Equal((new Recommend("crash"), 2, "model not loaded"), (quarantined[0].Message, quarantined[0].Crashes, quarantined[0].Error.Message));
    }

    private async Task AwaitBreakerAsync(SupervisionTree tree, CircuitState state) =>
        await _kit.AwaitAssertAsync(async () => Assert.Equal(state, (await tree.Root.GetHealthAsync()).Children[0].Circuit));

    private async Task AwaitHealthAsync(SupervisionTree tree, HealthState state) =>
        await _kit.AwaitAssertAsync(async () => Assert.Equal(state, (await tree.Root.GetHealthAsync()).State));
}
