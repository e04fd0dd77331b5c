using Akka.Actor;
using Xunit;

namespace Supervise.Tests.Docs;

// The README's example, compiled and run. DocSnippetTests checks that the README still shows exactly this.
public sealed class ReadmeExample
{
    [Fact]
    public async Task A_tree_in_20_lines()
    {
        using var system = ActorSystem.Create("shop");

        var payments = new SupervisorSpec
        {
            Strategy = Strategy.RestForOne,               // a crash restarts that child and the ones after it
            Intensity = 3,
            Period = TimeSpan.FromSeconds(30),
            Children = [ChildSpec.Worker("gateway", Props.Create<Gateway>()),
                        ChildSpec.Worker("processor", Props.Create<Processor>())],
        };

        var tree = await system.StartTreeAsync(new SupervisorSpec
        {
            Children = [ChildSpec.Worker("ledger", Props.Create<Ledger>()),
                        ChildSpec.ForSupervisor("payments", payments),        // a nested supervisor
                        ChildSpec.Worker("mailer", Props.Create<Mailer>()) with { Restart = RestartType.Transient }],
        }, new TreeOptions { Name = "shop" });

        var children = await tree.Root.WhichChildrenAsync();  // ledger, payments, mailer: all Running
        await tree.StopAsync();                               // mailer, payments (processor, gateway), ledger

        Assert.Equal(["ledger", "payments", "mailer"], children.Select(c => c.Id));
        Assert.All(children, c => Assert.Equal(ChildStatus.Running, c.Status));
    }

    private sealed class Gateway : ReceiveActor;

    private sealed class Processor : ReceiveActor;

    private sealed class Ledger : ReceiveActor;

    private sealed class Mailer : ReceiveActor;
}
