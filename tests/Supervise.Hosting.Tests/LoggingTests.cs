using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Supervise.Hosting.Tests.Support;
using Xunit;

namespace Supervise.Hosting.Tests;

/// <summary>
/// A host's logging gets Supervise's supervision events and Akka.NET's own log events, whatever its providers are:
/// plain Microsoft.Extensions.Logging (the default of every ASP.NET Core app), or Serilog through AddSerilog.
/// </summary>
public sealed class LoggingTests
{
    private static IHost Build(string tree, Action<IHostApplicationBuilder> logging)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        logging(builder);
        builder.Services.AddSupervise(b => b.AddTree(tree, new SupervisorSpec { Children = [ChildSpec.Worker("payments", Worker.Props)] }));
        return builder.Build();
    }

    [Fact]
    public async Task A_crash_reaches_a_plain_logging_provider_with_its_event_id_fields_and_exception()
    {
        var log = new CollectingLogger();
        var tree = "orders" + Guid.NewGuid().ToString("N")[..6];
        using var host = Build(tree, b => b.Logging.SetMinimumLevel(LogLevel.Debug).AddProvider(log));
        await host.StartAsync();

        (await host.Services.GetRequiredService<SuperviseTrees>().GetChildAsync(tree + "/payments")).Tell("boom");

        var crash = await log.WhenAsync(r => r.Id.Id == SupervisionLogEvents.ChildCrashed && Equals(r["Tree"], tree));
        Assert.Equal((LogLevel.Error, "Supervise", "ChildCrashed"), (crash.Level, crash.Category, crash.Id.Name));
        Assert.Equal((tree + "/payments", "payments", tree, "OneForOne"), (crash["Path"], crash["ChildId"], crash["Supervisor"], crash["Strategy"]));
        Assert.IsType<InvalidOperationException>(crash.Exception);
        var restart = await log.WhenAsync(r => r.Id.Id == SupervisionLogEvents.ChildRestarted && Equals(r["Tree"], tree));
        Assert.Equal((LogLevel.Information, 1, 3, TimeSpan.FromSeconds(5)), (restart.Level, restart["RestartCount"], restart["Intensity"], restart["Period"]));
        await host.StopAsync();
    }

    [Fact]
    public async Task Akka_NETs_own_log_events_of_Supervises_actor_system_reach_the_hosts_logging()
    {
        var log = new CollectingLogger();
        using var host = Build("orders" + Guid.NewGuid().ToString("N")[..6], b => b.Logging.AddProvider(log));
        await host.StartAsync();
        var marker = Guid.NewGuid().ToString("N");

        host.Services.GetRequiredService<SuperviseTrees>().System.Log.Log(Akka.Event.LogLevel.WarningLevel, null, "a line from Akka.NET " + marker);

        var line = await log.WhenAsync(r => r.Message.Contains(marker, StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, line.Level);
        await host.StopAsync();
    }

    [Fact]
    public async Task Serilog_users_get_the_same_events_through_AddSerilog_with_the_same_fields()
    {
        var sink = new Sink();
        var tree = "orders" + Guid.NewGuid().ToString("N")[..6];
        using var serilog = new LoggerConfiguration().MinimumLevel.Debug().WriteTo.Sink(sink).CreateLogger();
        using var host = Build(tree, b => b.Services.AddSerilog(serilog));
        await host.StartAsync();

        (await host.Services.GetRequiredService<SuperviseTrees>().GetChildAsync(tree + "/payments")).Tell("boom");

        var crash = await sink.Crash.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(LogEventLevel.Error, crash.Level);
        Assert.Equal($"\"{tree}/payments\"", crash.Properties["Path"].ToString());
        Assert.Equal($"\"{tree}\"", crash.Properties["Tree"].ToString());
        Assert.IsType<InvalidOperationException>(crash.Exception);
        await host.StopAsync();
    }

    private sealed class Sink : ILogEventSink
    {
        public TaskCompletionSource<LogEvent> Crash { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Emit(LogEvent logEvent)
        {
            if (logEvent.Properties.TryGetValue("EventId", out var id) && id.ToString().Contains("ChildCrashed", StringComparison.Ordinal))
            {
                Crash.TrySetResult(logEvent);
            }
        }
    }
}
