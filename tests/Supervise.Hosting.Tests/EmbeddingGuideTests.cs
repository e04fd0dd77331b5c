using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Supervise.Hosting.Tests.Docs;
using Supervise.Hosting.Tests.Support;
using Supervise.Tests.Common;
using Xunit;

namespace Supervise.Hosting.Tests;

/// <summary>The embedding guide's service, run for real on loopback.</summary>
public sealed class EmbeddingGuideTests
{
    [Fact]
    public async Task The_service_answers_survives_a_crashing_request_and_reports_health_and_metrics()
    {
        using var metrics = new MetricsRecorder("orders");
        await using var app = OrdersService.Build(["--urls", "http://127.0.0.1:0", "--Supervise:Trees:orders:Intensity", "5", "--Logging:LogLevel:Default", "Warning"]);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };

        Assert.Equal(new Price("abc", 9.99m), await http.GetFromJsonAsync<Price>("/price/abc"));

        // A request that crashes the actor gets a 503; the actor is restarted and the next one is served.
        var restarted = app.Services.GetRequiredService<SuperviseTrees>().System.WhenEventAsync<ChildRestarted>();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/price/bad")).StatusCode);
        Assert.Equal(5, (await restarted).Intensity); // from the command line's configuration
        Assert.Equal(new Price("xyz", 9.99m), await http.GetFromJsonAsync<Price>("/price/xyz"));

        Assert.Equal("Healthy", await http.GetStringAsync("/health/ready"));
        Assert.Equal("Healthy", await http.GetStringAsync("/health/live"));
        await metrics.WhenAsync(() => metrics.Sum("supervise.child.restarts", ("supervise.child", "pricing")) == 1);

        await app.StopAsync();
    }
}
