using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Supervise.Hosting;

/// <summary>Registers Supervise in a host.</summary>
public static class SuperviseServiceCollectionExtensions
{
    /// <summary>
    /// Runs Supervise with the host: the trees <paramref name="configure"/> declares start in order after the
    /// actor system (the services' own, as Akka.Hosting registers it, or one Supervise creates) and stop in
    /// reverse within the host's shutdown timeout. Registers <see cref="SuperviseTrees"/> (the trees by name,
    /// and their children's addresses), <see cref="SuperviseMetrics"/>, and two health checks per tree
    /// (<c>supervise:NAME</c> tagged <c>ready</c>, <c>supervise:NAME:live</c> tagged <c>live</c>) unless
    /// <see cref="SuperviseBuilder.DefaultHealthChecks"/> is false (then add your own with
    /// <see cref="SuperviseHealthChecksBuilderExtensions.AddSupervise"/>).
    /// </summary>
    public static IServiceCollection AddSupervise(this IServiceCollection services, Action<SuperviseBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        if (services.Any(d => d.ServiceType == typeof(SuperviseBuilder)))
        {
            throw new InvalidOperationException("AddSupervise was called already: expected one call, declaring every tree.");
        }

        var builder = new SuperviseBuilder(services);
        configure(builder);
        builder.AddDefaultHealthChecks();
        // Validated by the conventions: on the host's start, every problem at once (SupervisePlan).
        services.AddOptions<SuperviseOptions>().ValidateOnStart();
        services.AddSingleton<SupervisePlan>();
        services.AddSingleton<IValidateOptions<SuperviseOptions>, SuperviseOptionsValidator>();
        services.AddSingleton(builder);
        services.AddSingleton(_ => new SuperviseTrees(builder.Trees.Select(t => t.Name).ToList()));
        services.TryAddSingleton(sp => new SuperviseMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddHostedService<SuperviseHostedService>();
        HostDrivenShutdown.ApplyToAkkaHosting(services);
        return services;
    }

    /// <summary>
    /// As <see cref="AddSupervise(IServiceCollection, Action{SuperviseBuilder})"/>, with
    /// <see cref="SuperviseOptions"/> bound from <paramref name="configuration"/> (for example
    /// <c>builder.Configuration.GetSection("Supervise")</c>) and validated when the host starts.
    /// </summary>
    public static IServiceCollection AddSupervise(this IServiceCollection services, IConfiguration configuration, Action<SuperviseBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSupervise(configure);
        services.AddSingleton(new SuperviseConfigurationSection(configuration));
        // Before the binder: it skips keys it does not know and may drop an entry it cannot convert; the section check
        // names each, with what was expected (ErrorOnUnknownConfiguration would stop at the first, in the binder's words).
        services.AddSingleton<IConfigureOptions<SuperviseOptions>, SuperviseSectionCheck>();
        services.Configure<SuperviseOptions>(configuration);
        return services;
    }
}
