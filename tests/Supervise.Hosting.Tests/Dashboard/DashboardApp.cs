using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Supervise.Dashboard;
using Supervise.Hosting.Tests.Support;

namespace Supervise.Hosting.Tests.Dashboard;

/// <summary>The service the dashboard's tests run on 127.0.0.1, and how they read it.</summary>
internal static class DashboardApp
{
    /// <summary>
    /// A service with the dashboard mapped at /supervise, and <paramref name="trees"/> (by default two: orders, and
    /// sessions with a supervisor of 60 children, shown collapsed).
    /// </summary>
    public static async Task<WebApplication> StartAsync(Action<SuperviseDashboardOptions>? configure = null, bool authorized = true, CollectingLogger? logs = null, string environment = "Development", Action<SuperviseBuilder>? trees = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--urls", "http://127.0.0.1:0"], EnvironmentName = environment });
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.Services.AddAuthorization(o => o.AddPolicy("operators", p => p.RequireAssertion(_ => authorized)));
        builder.Services.AddSupervise(trees ?? (b => b
            .AddTree("orders", new SupervisorSpec { Children = [ChildSpec.Worker("payments", Worker.Props), ChildSpec.Worker("stock", Worker.Props)] })
            .AddTree("sessions", Sessions)));
        var app = builder.Build();
        app.MapSuperviseDashboard("/supervise", configure);
        await app.StartAsync();
        return app;
    }

    /// <summary>A tree with a supervisor of 60 children.</summary>
    public static SupervisorSpec Sessions { get; } = new()
    {
        Children = [ChildSpec.ForSupervisor("users", new SupervisorSpec { Children = [.. Enumerable.Range(0, 60).Select(i => ChildSpec.Worker($"u{i}", Worker.Props))] })],
    };

    public static HttpClient Client(WebApplication app) => new() { BaseAddress = new Uri(app.Urls.Single() + "/supervise/") };

    public static async Task<JsonElement> JsonAsync(HttpClient http, string path) => JsonDocument.Parse(await http.GetStringAsync(path)).RootElement;
}
