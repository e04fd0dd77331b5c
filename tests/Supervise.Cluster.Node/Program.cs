using Akka.Actor;
using Akka.Configuration;
using Supervise;
using Supervise.Cluster;
using Supervise.Cluster.Tests.Support;
using AkkaCluster = Akka.Cluster.Cluster;

// A cluster node in its own process, for the test that kills one with SIGKILL:
//   Supervise.Cluster.Node <seed address> <role>
// It joins the seed on 127.0.0.1, runs the "jobs" supervised singleton (on nodes of role "worker"), prints
// "up <its address>" once it is Up, and runs until it is killed or its stdin closes.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Supervise.Cluster.Node <seed address> <role>; expected 2 arguments, received " + args.Length);
    return 2;
}

var config = ConfigurationFactory.ParseString($"akka.cluster.roles = [\"{args[1]}\"]").WithFallback(FastCluster.Config());
var system = ActorSystem.Create("supervise-cluster", config);
var cluster = AkkaCluster.Get(system);
var up = new TaskCompletionSource();
cluster.RegisterOnMemberUp(() => up.TrySetResult());
cluster.Join(Address.Parse(args[0]));
SupervisedSingleton.Start(system, ChildSpec.Worker("jobs", Props.Create<Jobs>()), new SingletonOptions { Role = "worker" });
await up.Task.WaitAsync(TimeSpan.FromSeconds(30));
Console.WriteLine("up " + cluster.SelfAddress);
await Task.Run(() => Console.In.ReadToEnd()); // the test closes stdin to stop a node it does not kill
await system.Terminate();
return 0;

/// <summary>Acknowledges each job with its number and the node that did it; "ran" lists the jobs this instance did.</summary>
internal sealed class Jobs : ReceiveActor
{
    private readonly List<int> _ran = [];

    public Jobs()
    {
        Receive<int>(job =>
        {
            _ran.Add(job);
            Sender.Tell($"{job} {AkkaCluster.Get(Context.System).SelfAddress}");
        });
        Receive<string>(m => m == "ran", _ => Sender.Tell(string.Join(",", _ran)));
    }
}
