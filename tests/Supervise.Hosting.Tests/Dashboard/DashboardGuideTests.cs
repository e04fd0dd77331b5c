using System.Net;
using Supervise.Hosting.Tests.Docs;
using Xunit;

namespace Supervise.Hosting.Tests.Dashboard;

/// <summary>The dashboard guide's app, run on 127.0.0.1: its page and trees answer, and its operations need the policy it names.</summary>
public sealed class DashboardGuideTests
{
    [Fact]
    public async Task The_guide_app_serves_the_page_and_refuses_operations_to_a_request_without_the_operator_role()
    {
        await using var app = DashboardExample.Build(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default", "Warning"]);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };

        Assert.Contains("<title>Supervise</title>", await http.GetStringAsync("/supervise"), StringComparison.Ordinal);
        Assert.Contains("\"name\":\"orders\"", await http.GetStringAsync("/supervise/api/trees"), StringComparison.Ordinal);
        Assert.Contains("read-only", await (await http.PostAsync("/supervise/api/operations/restart?path=orders/payments", null)).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var refused = await http.PostAsync("/ops/supervise/api/operations/restart?path=orders/payments", null);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("'operators'", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await app.StopAsync();
    }
}
