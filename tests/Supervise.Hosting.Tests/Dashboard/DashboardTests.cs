using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Supervise.Dashboard;
using Supervise.Hosting.Tests.Support;
using Xunit;

namespace Supervise.Hosting.Tests.Dashboard;

/// <summary>The dashboard served by a real app on 127.0.0.1: its page, its trees, its feed, and what it refuses (issue 13).</summary>
public sealed class DashboardTests
{
    private static Task<WebApplication> StartAsync(Action<SuperviseDashboardOptions>? configure = null, bool authorized = true, CollectingLogger? logs = null) =>
        DashboardApp.StartAsync(configure, authorized, logs);



    /// <summary>The node at <paramref name="path"/> in the trees' JSON, depth first.</summary>
    private static JsonElement? Node(JsonElement trees, string path)
    {
        static JsonElement? Find(JsonElement node, string path)
        {
            if (node.GetProperty("path").GetString() == path)
            {
                return node;
            }

            if (node.GetProperty("children") is { ValueKind: JsonValueKind.Array } children)
            {
                foreach (var child in children.EnumerateArray())
                {
                    if (Find(child, path) is { } found)
                    {
                        return found;
                    }
                }
            }

            return null;
        }

        return trees.EnumerateArray().Select(t => t.GetProperty("root")).Select(r => Find(r, path)).FirstOrDefault(n => n is not null);
    }

    [Fact]
    public async Task The_page_is_served_from_the_assembly_and_fetches_nothing_from_elsewhere()
    {
        await using var app = await StartAsync();
        using var http = DashboardApp.Client(app);

        var page = await http.GetAsync("");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<title>Supervise</title>", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(src|href)\s*=\s*""(https?:)?//", html); // no script, style or font from the internet
        Assert.DoesNotContain("@import", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_trees_show_each_node_with_its_health_and_a_crash_goes_Restarting_then_Running_with_its_failure()
    {
        await using var app = await StartAsync();
        using var http = DashboardApp.Client(app);
        var trees = await DashboardApp.JsonAsync(http, "api/trees");
        Assert.Equal(["orders", "sessions"], trees.EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        var payments = Node(trees, "orders/payments")!.Value;
        Assert.Equal(("Running", "worker", 0), (payments.GetProperty("health").GetString(), payments.GetProperty("kind").GetString(), payments.GetProperty("restarts").GetInt32()));

        // Crashed through the runtime API: the feed says so, and the tree shows the restart and the failure.
        using var feed = await http.GetStreamAsync("api/events?tree=orders&kind=ChildRestarted");
        using var reader = new StreamReader(feed);
        var address = await app.Services.GetRequiredService<SuperviseTrees>().GetChildAsync("orders/payments");
        address.Tell("boom", Akka.Actor.ActorRefs.NoSender);
        Assert.Equal("following events of tree orders of a kind containing 'ChildRestarted'", (await NextEventAsync(reader)).GetProperty("detail").GetString());
        var restarted = await NextEventAsync(reader);
        Assert.Equal(("ChildRestarted", "orders", "payments"), (restarted.GetProperty("kind").GetString(), restarted.GetProperty("supervisor").GetString(), restarted.GetProperty("child").GetString()));

        var after = await DashboardApp.JsonAsync(http, "api/trees");
        var orders = Node(after, "orders")!.Value;
        Assert.Equal(("OneForOne", "1 of 3 in 5 s"), (orders.GetProperty("strategy").GetString(), orders.GetProperty("window").GetString()));
        payments = Node(after, "orders/payments")!.Value;
        Assert.Equal(("Running", 1), (payments.GetProperty("health").GetString(), payments.GetProperty("restarts").GetInt32()));
        Assert.Equal("InvalidOperationException: boom", payments.GetProperty("lastFailure").GetString());
    }

    [Fact]
    public async Task A_supervisor_of_many_children_is_collapsed_to_counts_by_health_and_its_children_are_searchable()
    {
        await using var app = await StartAsync(o => o.CollapseAbove = 50);
        using var http = DashboardApp.Client(app);

        var users = Node(await DashboardApp.JsonAsync(http, "api/trees"), "sessions/users")!.Value;
        Assert.Equal(JsonValueKind.Null, users.GetProperty("children").ValueKind);
        Assert.Equal(60, users.GetProperty("childCount").GetInt32());
        Assert.Equal(60, users.GetProperty("counts").GetProperty("Running").GetInt32());

        var found = await DashboardApp.JsonAsync(http, "api/search?tree=sessions&path=sessions/users&q=u5");
        Assert.Equal(["u5", "u50", "u51", "u52", "u53", "u54", "u55", "u56", "u57", "u58", "u59"], found.EnumerateArray().Select(n => n.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task The_dashboard_is_read_only_unless_operations_are_enabled_and_each_refusal_says_its_rule_and_is_logged()
    {
        var logs = new CollectingLogger();
        await using var app = await StartAsync(logs: logs);
        using var http = DashboardApp.Client(app);

        var refused = await http.PostAsync("api/operations/restart?path=orders/payments", null);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("read-only: operations on children need SuperviseDashboardOptions.EnableOperations set to true", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var logged = await logs.WhenAsync(r => r.Category == "Supervise.Dashboard").WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(LogLevel.Warning, logged.Level);
        Assert.Contains("read-only", logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operations_need_the_named_policy_then_restart_terminate_and_delete_a_child()
    {
        await using (var denied = await StartAsync(o => (o.EnableOperations, o.AuthorizationPolicy) = (true, "operators"), authorized: false))
        {
            using var http = DashboardApp.Client(denied);
            var refused = await http.PostAsync("api/operations/restart?path=orders/payments", null);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("require the authorization policy 'operators', which this request does not satisfy", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await using var app = await StartAsync(o => (o.EnableOperations, o.AuthorizationPolicy) = (true, "operators"));
        using var client = DashboardApp.Client(app);
        foreach (var (operation, result) in new[] { ("restart", "Running"), ("terminate", "Terminated"), ("restart", "Restarted"), ("terminate", "Terminated"), ("delete", "Deleted") })
        {
            var answer = await client.PostAsync($"api/operations/{operation}?path=orders/stock", null);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Contains(result, JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("result").GetString(), StringComparison.Ordinal);
        }

        Assert.Null(Node(await DashboardApp.JsonAsync(client, "api/trees"), "orders/stock")); // deleted
        var unknown = await client.PostAsync("api/operations/explode?path=orders/payments", null);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("expected restart, terminate or delete, received 'explode'", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void Only_loopback_clients_are_answered_unless_others_are_allowed()
    {
        var options = new SuperviseDashboardOptions();

        Assert.Null(DashboardRules.RefuseViewer(IPAddress.Loopback, options));
        Assert.Null(DashboardRules.RefuseViewer(IPAddress.Parse("127.8.0.1"), options));
        Assert.Null(DashboardRules.RefuseViewer(IPAddress.IPv6Loopback, options));
        Assert.Equal(
            "the Supervise dashboard answers only loopback clients (127.0.0.0/8, ::1) unless SuperviseDashboardOptions.AllowRemoteClients is true; this request came from 10.1.2.3",
            DashboardRules.RefuseViewer(IPAddress.Parse("10.1.2.3"), options));
        Assert.NotNull(DashboardRules.RefuseViewer(null, options));
        Assert.Null(DashboardRules.RefuseViewer(IPAddress.Parse("10.1.2.3"), new SuperviseDashboardOptions { AllowRemoteClients = true }));
    }

    [Fact]
    public async Task Operations_enabled_without_a_policy_are_refused_when_the_dashboard_is_mapped()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => StartAsync(o => o.EnableOperations = true));

        Assert.Contains("AuthorizationPolicy: expected the name of an authorization policy (registered with AddAuthorization) when EnableOperations is true, received none", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The next event of a Server-Sent Events stream, as JSON (its <c>data:</c> line).</summary>
    private static async Task<JsonElement> NextEventAsync(StreamReader reader)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                return JsonDocument.Parse(line["data: ".Length..]).RootElement;
            }
        }

        throw new EndOfStreamException("the feed ended");
    }
}
