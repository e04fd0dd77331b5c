using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Supervise.Hosting;

/// <summary>
/// Ctrl+C and SIGTERM belong to the host. With Akka.NET's CLR shutdown hook on, a signal runs the actor system's
/// coordinated shutdown at once, which stops every tree together before the host begins its own stop (and readiness
/// fails before the host says it stops). The actor system Supervise makes has the hook off; Akka.Hosting's gets it off
/// when <c>AddAkka</c> is called before <c>AddSupervise</c>.
/// </summary>
internal static class HostDrivenShutdown
{
    public const string HookSetting = "akka.coordinated-shutdown.run-by-clr-shutdown-hook";

    public static readonly Config Config = ConfigurationFactory.ParseString(HookSetting + " = off");

    /// <summary>Whether a signal would run <paramref name="system"/>'s coordinated shutdown by itself, ahead of the host.</summary>
    public static bool HookIsOn(ActorSystem system) => system.Settings.Config.GetBoolean(HookSetting, false);

    /// <summary>Turns the hook off in Akka.Hosting's actor system, when <c>AddAkka</c> registered one already.</summary>
    public static void ApplyToAkkaHosting(IServiceCollection services)
    {
        var index = -1;
        for (var i = services.Count - 1; i >= 0 && index < 0; i--)
        {
            if (services[i].ServiceType == typeof(AkkaConfigurationBuilder) && !services[i].IsKeyedService && services[i].ImplementationFactory is not null)
            {
                index = i;
            }
        }

        if (index < 0)
        {
            return;
        }

        var original = services[index];
        var made = original.ImplementationFactory!;
        services[index] = ServiceDescriptor.Describe(typeof(AkkaConfigurationBuilder), sp =>
        {
            var builder = (AkkaConfigurationBuilder)made(sp);
            builder.AddHocon(Config, HoconAddMode.Prepend);
            return builder;
        }, original.Lifetime);
    }
}
