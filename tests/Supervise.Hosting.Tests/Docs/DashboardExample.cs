using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Supervise.Hosting.Tests.Support;

namespace Supervise.Hosting.Tests.Docs;

/// <summary>The dashboard guide's code (docs/guides/dashboard.md), compiled and run by <see cref="Dashboard.DashboardGuideTests"/>.</summary>
public static class DashboardExample
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Services.AddSupervise(b => b.AddTree("orders", new SupervisorSpec
        {
            Children = [ChildSpec.Worker("payments", Worker.Props), ChildSpec.Worker("stock", Worker.Props)],
        }));
        builder.Services.AddAuthorization(o => o.AddPolicy("operators", p => p.RequireRole("operator")));
        var app = builder.Build();

        // Read-only, answered only to loopback clients.
        app.MapSuperviseDashboard("/supervise");

        // Restart, terminate and delete children, and run chaos, for requests the "operators" policy admits.
        app.MapSuperviseDashboard("/ops/supervise", o =>
        {
            o.EnableOperations = true;
            o.EnableChaos = true;
            o.AuthorizationPolicy = "operators";
        });

        return app;
    }
}
