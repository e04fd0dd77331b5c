using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Supervise;
using Supervise.Hosting;

// A service with two trees, each of three workers that say when they stop. Run it, send it SIGINT (Ctrl+C), and read
// the order of its lines. The first argument chooses the actor system: "own" (Supervise makes one) or "akka-hosting".
var mode = args.FirstOrDefault() ?? "own";
var builder = Host.CreateApplicationBuilder(args.Skip(1).ToArray());
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
if (mode == "akka-hosting")
{
    builder.Services.AddAkka("shutdown-app", (_, _) => { });
}

builder.Services.AddSupervise(supervise => supervise.AddTree("first", Tree("first")).AddTree("second", Tree("second")));
using var host = builder.Build();
var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
var health = host.Services.GetRequiredService<HealthCheckService>();
lifetime.ApplicationStarted.Register(() => Say($"started; ready: {Ready()}"));
lifetime.ApplicationStopping.Register(() => Say($"host stopping; ready: {Ready()}"));
await host.RunAsync();
Say("exited");
return 0;

string Ready() => health.CheckHealthAsync(c => c.Tags.Contains("ready")).GetAwaiter().GetResult().Status.ToString();

static SupervisorSpec Tree(string name) => new()
{
    Children = Enumerable.Range(1, 3).Select(i => ChildSpec.Worker($"w{i}", Props.Create(() => new Worker($"{name}/w{i}")))).ToList(),
};

static void Say(string line)
{
    lock (Console.Out)
    {
        Console.Out.WriteLine(line);
        Console.Out.Flush();
    }
}

/// <summary>A worker that says when it stops.</summary>
internal sealed class Worker(string path) : ReceiveActor
{
    protected override void PostStop() => Console.Out.WriteLine($"stopped {path}");
}
