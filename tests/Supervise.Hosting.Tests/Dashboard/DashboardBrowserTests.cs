using Microsoft.Extensions.DependencyInjection;
using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;
using Supervise.Hosting.Tests.Support;
using Supervise.Tests.Common;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Hosting.Tests.Dashboard;

/// <summary>The dashboard in a real browser (headless Chromium): what a person sees, live (issue 13).</summary>
public sealed class DashboardBrowserTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_page_draws_the_trees_shows_a_crash_go_Restarting_then_Running_and_terminates_a_child_on_a_click()
    {
        await using var app = await DashboardApp.StartAsync(
            o => (o.EnableOperations, o.EnableChaos, o.AuthorizationPolicy) = (true, true, "operators"),
            trees: b => b
                .AddTree("orders", new SupervisorSpec
                {
                    Children =
                    [
                        // Backs off 2 s before its restart: long enough to be seen Restarting.
                        ChildSpec.Worker("payments", Worker.Props) with { Policies = [Policy.Backoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)) with { Jitter = 0 }] },
                        ChildSpec.Worker("stock", Worker.Props),
                    ],
                })
                .AddTree("sessions", DashboardApp.Sessions));

        using var browser = Chromium.Start();
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(20));
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        string Health(string path) => browser.FindElement(By.CssSelector($"[data-path='{path}'] .badge")).Text;
        void Until(Func<bool> condition, string what)
        {
            try
            {
                wait.Until(_ => condition());
            }
            catch (WebDriverTimeoutException)
            {
                // What the page showed instead, for whoever reads the failure (CI keeps only the output).
                var failed = Path.Combine(AppContext.BaseDirectory, "artifacts", "dashboard-failed.png");
                Directory.CreateDirectory(Path.GetDirectoryName(failed)!);
                ((ITakesScreenshot)browser).GetScreenshot().SaveAsFile(failed);
                throw new Xunit.Sdk.XunitException($"the page did not show {what} within 20 s; it showed:\n{browser.FindElement(By.TagName("main")).Text}\n(screenshot: {failed})");
            }
        }
        browser.Navigate().GoToUrl(app.Urls.Single() + "/supervise");

        Until(() => Health("orders/payments") == "Running" && Health("orders/stock") == "Running", "payments and stock Running");
        // The page redraws on every event: each look is made again until it holds (a redrawn element goes stale).
        Until(() => Health("sessions/users") == "Running", "users Running");
        Until(() => browser.FindElement(By.CssSelector("[data-path='sessions/users'] ~ .counts")).Text.StartsWith("60 children", StringComparison.Ordinal), "users collapsed to 60 children");
        Until(() => browser.FindElement(By.Id("status")).Text == "live", "the feed live");

        // A crash through the runtime API: the page shows it Restarting for its backoff, then Running, and the feed says why.
        (await app.Services.GetRequiredService<SuperviseTrees>().GetChildAsync("orders/payments")).Tell("boom", Akka.Actor.ActorRefs.NoSender);
        Until(() => Health("orders/payments") == "Restarting", "payments Restarting");
        Until(() => Health("orders/payments") == "Running", "payments Running again");
        Until(() => browser.FindElement(By.Id("feed")).Text.Contains("ChildRestarted orders/payments", StringComparison.Ordinal), "the restart in the feed");
        Until(() => browser.FindElement(By.CssSelector("[data-path='orders/payments'] .meta")).Text.Contains("1 restart", StringComparison.Ordinal), "payments with 1 restart");
        Until(() => browser.FindElement(By.CssSelector("[data-path='orders/payments'] .failure")).GetAttribute("title") == "InvalidOperationException: boom", "payments' last failure");

        // An operation from the page.
        wait.Until(_ =>
        {
            browser.FindElements(By.CssSelector("[data-path='orders/stock'] button")).Single(b => b.Text == "terminate").Click();
            return true;
        });
        Until(() => Health("orders/stock") == "Down", "stock Down");

        // A chaos run from the page, halted from the page: its report shows there.
        browser.FindElement(By.Id("c-seed")).SendKeys("7");
        var interval = browser.FindElement(By.Id("c-interval"));
        interval.Clear();
        interval.SendKeys("50");
        browser.FindElement(By.Id("c-start")).Click();
        Until(() => System.Text.RegularExpressions.Regex.IsMatch(browser.FindElement(By.Id("c-status")).Text, "^running, seed 7: [1-9]"), "the chaos run running with seed 7, its first fault carried out");
        browser.FindElement(By.Id("c-halt")).Click();
        Until(() => browser.FindElement(By.Id("chaos-report")).Text.StartsWith("Chaos run (seed 7)", StringComparison.Ordinal), "the chaos run's report");
        Assert.Contains("halted from the dashboard", browser.FindElement(By.Id("chaos-report")).Text, StringComparison.Ordinal);
        Assert.True(browser.FindElement(By.Id("c-journal")).Displayed);

        var shot = Path.Combine(AppContext.BaseDirectory, "artifacts", "dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(shot)!);
        ((ITakesScreenshot)browser).GetScreenshot().SaveAsFile(shot);
        output.WriteLine($"screenshot: {shot}");
        browser.Quit();
        await app.StopAsync();
    }
    [Fact]
    public async Task The_page_shows_an_upgrades_plan_and_progress_a_completed_one_and_a_canary_rolled_back()
    {
        static ChildSpec Gateway(string id, string version) => ChildSpec.Worker(id, version == "3" ? BrokenGateway.Props : Worker.Props) with { Version = version };
        static SupervisorSpec Fleet(string version) => new() { Children = [Gateway("g1", version), Gateway("g2", version), Gateway("g3", version)] };
        await using var app = await DashboardApp.StartAsync(trees: b => b.AddTree("fleet", Fleet("1")));
        using var browser = Chromium.Start();
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(20));
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        browser.Navigate().GoToUrl(app.Urls.Single() + "/supervise");
        wait.Until(_ => browser.FindElement(By.Id("status")).Text == "live");
        Assert.False(browser.FindElement(By.Id("upgrades")).Displayed); // no upgrade yet: no section

        var trees = app.Services.GetRequiredService<SuperviseTrees>();
        Assert.True(trees.TryGet("fleet", out var fleet));
        var quick = new UpgradeOptions { CanaryCount = 1, WatchWindow = TimeSpan.FromMilliseconds(200) };
        Assert.IsType<UpgradeResult.Completed>(await fleet.Root.UpgradeAsync(Fleet("2"), quick));
        // Version 3 cannot start: the canary fails, and the supervisor puts version 2 back.
        Assert.IsType<UpgradeResult.RolledBack>(await fleet.Root.UpgradeAsync(Fleet("3"), quick));

        string Statuses(int card) => string.Join(" ", browser.FindElements(By.CssSelector(".upgrade"))[card].FindElements(By.CssSelector("li.step")).Select(li => li.GetAttribute("data-child") + ":" + li.GetAttribute("data-status")));
        // The page redraws the list on every upgrade event: each look is made again until it holds (a redrawn element goes stale).
        string State(int card) => browser.FindElements(By.CssSelector(".upgrade"))[card].GetAttribute("data-state") ?? "";
        wait.Until(_ => browser.FindElements(By.CssSelector(".upgrade")).Count == 2 && State(0) == "rolled back" && State(1) == "completed");
        wait.Until(_ => Statuses(0) == "g1:failed g2:pending g3:pending");
        wait.Until(_ => browser.FindElements(By.CssSelector(".upgrade"))[0].Text.Contains("replace g1: 2 → 3", StringComparison.Ordinal));
        wait.Until(_ => Statuses(1) == "g1:done g2:done g3:done");
        wait.Until(_ => browser.FindElement(By.CssSelector("[data-path='fleet/g1'] .badge")).Text == "Running"); // version 2 runs again
        browser.Quit();
        await app.StopAsync();
    }

    /// <summary>A version that cannot start (its configuration lacks what it needs).</summary>
    private sealed class BrokenGateway : Akka.Actor.ReceiveActor
    {
        public BrokenGateway() => throw new InvalidOperationException("no position tracking configured");

        public static Akka.Actor.Props Props { get; } = Akka.Actor.Props.Create<BrokenGateway>();
    }
}
