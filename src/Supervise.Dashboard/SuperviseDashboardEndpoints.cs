using Akka.Actor;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Supervise;
using Supervise.Dashboard;
using Supervise.Hosting;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the Supervise dashboard into an ASP.NET Core app.</summary>
public static class SuperviseDashboardEndpoints
{
    /// <summary>
    /// Serves the dashboard at <paramref name="pattern"/>: the page, the trees as JSON (<c>api/trees</c>), a search of a
    /// collapsed supervisor's children (<c>api/search</c>), the feed of supervision events (<c>api/events</c>, Server-Sent
    /// Events), live upgrades with their plans and progress (<c>api/upgrades</c>) and, when
    /// <see cref="SuperviseDashboardOptions.EnableOperations"/> is set, operations on children
    /// (<c>api/operations/{restart|terminate|delete}</c>). Loopback clients only, read-only, unless the options say otherwise.
    /// </summary>
    /// <param name="endpoints">The app.</param>
    /// <param name="pattern">Where the page is served. Default: <c>/supervise</c>.</param>
    /// <param name="configure">Changes the options.</param>
    /// <returns>The group of the dashboard's endpoints (to add conventions such as <c>RequireHost</c>).</returns>
    /// <exception cref="ArgumentException">The options are invalid: the message lists each problem and what was expected.</exception>
    /// <exception cref="InvalidOperationException">No trees to show: neither Supervise.Hosting's trees nor <see cref="SuperviseDashboardOptions.Trees"/>.</exception>
    public static RouteGroupBuilder MapSuperviseDashboard(this IEndpointRouteBuilder endpoints, string pattern = "/supervise", Action<SuperviseDashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        var options = new SuperviseDashboardOptions();
        configure?.Invoke(options);
        if (DashboardRules.Problems(options) is { Count: > 0 } problems)
        {
            throw new ArgumentException("The Supervise dashboard's options are invalid: " + string.Join("; ", problems), nameof(configure));
        }

        var trees = options.Trees ?? HostTrees(endpoints.ServiceProvider);
        var logger = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Supervise.Dashboard");
        var time = endpoints.ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;
        var group = endpoints.MapGroup(pattern);
        group.AddEndpointFilter(async (context, next) =>
        {
            if (DashboardRules.RefuseViewer(context.HttpContext.Connection.RemoteIpAddress, options) is { } why)
            {
                return Refuse(context.HttpContext, logger, why);
            }

            return await next(context).ConfigureAwait(false);
        });

        // Live upgrades are followed from their events: from the first look at the trees (the page's first request) on.
        var upgrades = new UpgradeBoard();
        IEnumerable<SupervisionTree> Following()
        {
            var shown = trees().ToList();
            foreach (var system in shown.Select(t => t.System).Distinct())
            {
                upgrades.Follow(system);
            }

            return shown;
        }

        Following();
        group.MapGet("/", () => Results.Text(Page.Value, "text/html; charset=utf-8"));
        group.MapGet("/api/info", () => Results.Json(new { operations = options.EnableOperations, chaos = options.EnableChaos, collapseAbove = options.CollapseAbove }));
        group.MapGet("/api/trees", async (CancellationToken cancellationToken) => Results.Json(await ViewsAsync(Following(), options, cancellationToken).ConfigureAwait(false)));
        group.MapGet("/api/upgrades", () =>
        {
            Following();
            return Results.Json(upgrades.Views);
        });
        group.MapGet("/api/search", async (string tree, string path, string? q, CancellationToken cancellationToken) =>
        {
            if (trees().FirstOrDefault(t => t.Name == tree) is not { } found)
            {
                return Results.NotFound(new { error = $"no tree named '{TreeViews.Cut(tree, 100)}'" });
            }

            var snapshot = await found.GetHealthAsync(cancellationToken).ConfigureAwait(false);
            return Results.Json(TreeViews.Search(snapshot, path, q ?? "", 50, options.CollapseAbove));
        });
        group.MapGet("/api/events", (string? tree, string? path, string? kind, CancellationToken cancellationToken) =>
        {
            var system = trees().Select(t => t.System).FirstOrDefault();
            if (system is null)
            {
                return Results.Problem("no tree runs: there is no event to follow", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            return TypedResults.ServerSentEvents(EventFeed.ReadAsync(system, new FeedFilter(tree, path, kind), time, cancellationToken));
        });

        group.MapPost("/api/operations/{operation}", async (HttpContext http, string operation, string path, CancellationToken cancellationToken) =>
        {
            if (DashboardRules.RefuseOperation(options) is { } why)
            {
                return Refuse(http, logger, why);
            }

            return await AuthorizeAsync(http, options, logger).ConfigureAwait(false)
                ?? await OperateAsync(trees(), operation, path, logger, cancellationToken).ConfigureAwait(false);
        });

        var chaos = new DashboardChaos();
        var environment = endpoints.ServiceProvider.GetService<IHostEnvironment>()?.EnvironmentName ?? "Production";
        group.MapGet("/api/chaos/{tree}", (string tree) => Results.Json(DashboardChaos.Status(tree, chaos.Last(tree))));
        group.MapGet("/api/chaos/{tree}/journal", (string tree) => chaos.Last(tree) is { } run
            ? Results.File(System.Text.Encoding.UTF8.GetBytes(run.Journal.ToJson()), "application/json", $"chaos-{tree}-seed-{run.Seed}.json")
            : Results.NotFound(new { error = $"no chaos run was started from the dashboard on tree '{TreeViews.Cut(tree, 100)}'" }));
        group.MapPost("/api/chaos/{tree}/start", async (HttpContext http, string tree, ChaosRequest request, CancellationToken cancellationToken) =>
        {
            if (DashboardRules.RefuseChaos(options, environment) is { } why)
            {
                return Refuse(http, logger, why);
            }

            if (await AuthorizeAsync(http, options, logger).ConfigureAwait(false) is { } refused)
            {
                return refused;
            }

            if (trees().FirstOrDefault(t => t.Name == tree) is not { } target)
            {
                return Results.NotFound(new { error = $"no tree named '{TreeViews.Cut(tree, 100)}'" });
            }

            var (chaosOptions, problems) = DashboardChaos.ToOptions(request, tree, environment, options.AllowChaosInProduction);
            if (chaosOptions is null)
            {
                return Results.BadRequest(new { problems });
            }

            if (await chaos.StartAsync(target, chaosOptions, cancellationToken).ConfigureAwait(false) is not { } run)
            {
                return Results.Conflict(new { error = $"a chaos run started from the dashboard still runs on tree '{tree}': halt it first" });
            }

            DashboardLog.ChaosStarted(logger, tree, run.Seed);
            return Results.Json(DashboardChaos.Status(tree, run));
        });
        group.MapPost("/api/chaos/{tree}/halt", async (HttpContext http, string tree) =>
        {
            if (DashboardRules.RefuseChaos(options, environment) is { } why)
            {
                return Refuse(http, logger, why);
            }

            if (await AuthorizeAsync(http, options, logger).ConfigureAwait(false) is { } refused)
            {
                return refused;
            }

            if (chaos.Last(tree) is not { } run)
            {
                return Results.NotFound(new { error = $"no chaos run was started from the dashboard on tree '{TreeViews.Cut(tree, 100)}'" });
            }

            await run.StopAsync("halted from the dashboard").ConfigureAwait(false);
            DashboardLog.ChaosHalted(logger, tree, run.Seed);
            return Results.Json(DashboardChaos.Status(tree, run));
        });

        return group;
    }

    private static readonly Lazy<string> Page = new(() =>
    {
        using var stream = typeof(SuperviseDashboardEndpoints).Assembly.GetManifestResourceStream("Supervise.Dashboard.dashboard.html")
            ?? throw new InvalidOperationException("The dashboard's page is missing from Supervise.Dashboard's assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>The refusal of a request the authorization policy does not admit, or null.</summary>
    private static async Task<IResult?> AuthorizeAsync(HttpContext http, SuperviseDashboardOptions options, ILogger logger)
    {
        var authorization = http.RequestServices.GetRequiredService<IAuthorizationService>();
        return (await authorization.AuthorizeAsync(http.User, options.AuthorizationPolicy!).ConfigureAwait(false)).Succeeded
            ? null
            : Refuse(http, logger, DashboardRules.PolicyRefused(options.AuthorizationPolicy!));
    }

    private static IResult Refuse(HttpContext http, ILogger logger, string why)
    {
        DashboardLog.Refused(logger, http.Request.Method, http.Request.Path, http.Connection.RemoteIpAddress?.ToString() ?? "an unknown address", why);
        return Results.Json(new { refused = why }, statusCode: StatusCodes.Status403Forbidden);
    }

    private static Func<IEnumerable<SupervisionTree>> HostTrees(IServiceProvider services)
    {
        var hosted = services.GetService<SuperviseTrees>()
            ?? throw new InvalidOperationException("MapSuperviseDashboard: no trees to show. Register trees with AddSupervise (Supervise.Hosting), or set SuperviseDashboardOptions.Trees.");
        return () => hosted.Declared.Select(name => hosted.TryGet(name, out var tree) ? tree : null).OfType<SupervisionTree>();
    }

    private static async Task<IReadOnlyList<TreeView>> ViewsAsync(IEnumerable<SupervisionTree> trees, SuperviseDashboardOptions options, CancellationToken cancellationToken)
    {
        var views = new List<TreeView>();
        foreach (var tree in trees)
        {
            if (tree.Completion.IsCompleted)
            {
                views.Add(new TreeView(tree.Name, HealthState.Down.ToString(), true, null, (await tree.Completion.ConfigureAwait(false)).Error is { } error ? TreeViews.Failure(error) : null));
                continue;
            }

            try
            {
                var snapshot = await tree.GetHealthAsync(cancellationToken).ConfigureAwait(false);
                views.Add(new TreeView(tree.Name, snapshot.State.ToString(), false, TreeViews.Root(snapshot, options.CollapseAbove), null));
            }
            catch (Exception e) when (e is SupervisorUnavailableException or TimeoutException or AskTimeoutException)
            {
                views.Add(new TreeView(tree.Name, tree.RootHealth.ToString(), false, null, TreeViews.Failure(e)));
            }
        }

        return views;
    }

    private static async Task<IResult> OperateAsync(IEnumerable<SupervisionTree> trees, string operation, string path, ILogger logger, CancellationToken cancellationToken)
    {
        var segments = path.Split('/');
        if (segments.Length < 2 || segments.Any(s => s.Length == 0))
        {
            return Results.BadRequest(new { error = $"path: expected a tree's name and child ids separated by '/' (for example 'orders/payments/card'), received '{TreeViews.Cut(path, 100)}'" });
        }

        if (trees.FirstOrDefault(t => t.Name == segments[0]) is not { } tree)
        {
            return Results.NotFound(new { error = $"no tree named '{TreeViews.Cut(segments[0], 100)}'" });
        }

        var supervisor = segments.Length == 2 ? tree.Root : await tree.GetSupervisorAsync(segments[1..^1]).ConfigureAwait(false);
        var id = segments[^1];
        object result = operation switch
        {
            "restart" => await supervisor.RestartChildAsync(id, cancellationToken).ConfigureAwait(false),
            "terminate" => await supervisor.TerminateChildAsync(id, cancellationToken).ConfigureAwait(false),
            "delete" => await supervisor.DeleteChildAsync(id, cancellationToken).ConfigureAwait(false),
            _ => null!,
        };
        if (result is null)
        {
            return Results.BadRequest(new { error = $"operation: expected restart, terminate or delete, received '{TreeViews.Cut(operation, 100)}'" });
        }

        var text = result.ToString() ?? "";
        DashboardLog.Operated(logger, operation, path, text);
        return Results.Json(new { operation, path, result = text });
    }
}
