using Akka.Configuration;
using Akka.Event;
using Serilog;
using Serilog.Events;
using Supervise.Hosting.Tests.Support;
using Xunit;

namespace Supervise.Hosting.Tests;

/// <summary>Akka.NET's log events reach Serilog structured, beside Akka's TestKit listener.</summary>
public sealed class SerilogBridgeTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly CollectingSink _sink;

    public SerilogBridgeTests()
        : this(new CollectingSink())
    {
    }

    private SerilogBridgeTests(CollectingSink sink)
        : base(ConfigurationFactory.ParseString("""
            akka.loglevel = DEBUG
            akka.loggers = ["Akka.TestKit.TestEventListener, Akka.TestKit"]
            """).WithSerilog(new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(sink).CreateLogger()))
    {
        _sink = sink;
    }

    [Fact]
    public async Task A_log_call_with_named_placeholders_reaches_Serilog_with_its_properties_and_the_TestKit_listener_still_sees_it()
    {
        var log = Logging.GetLogger(Sys, "orders");
        EventFilter.Info(message: "Order 42 placed by Ada").ExpectOne(() => log.Info("Order {OrderId} placed by {Customer}", 42, "Ada"));

        var e = await _sink.WhenAsync(e => e.MessageTemplate.Text == "Order {OrderId} placed by {Customer}");
        Assert.Equal(LogEventLevel.Information, e.Level);
        Assert.Equal((42, "Ada"), (e.Scalar("OrderId"), e.Scalar("Customer")));
        Assert.StartsWith("orders", (string?)e.Scalar("LogSource"), StringComparison.Ordinal);
        Assert.NotNull(e.Scalar("ThreadId"));
    }

    [Fact]
    public async Task Levels_map_and_an_exception_travels_with_its_event()
    {
        var log = Logging.GetLogger(Sys, "payments");
        var error = new InvalidOperationException("card declined");
        log.Debug("debug {N}", 1);
        log.Warning("warn {N}", 2);
        log.Error(error, "failed {N}", 3);

        Assert.Equal(LogEventLevel.Debug, (await _sink.WhenAsync(e => e.MessageTemplate.Text == "debug {N}")).Level);
        Assert.Equal(LogEventLevel.Warning, (await _sink.WhenAsync(e => e.MessageTemplate.Text == "warn {N}")).Level);
        var failed = await _sink.WhenAsync(e => e.MessageTemplate.Text == "failed {N}");
        Assert.Equal((LogEventLevel.Error, 3), (failed.Level, failed.Scalar("N")));
        Assert.Same(error, failed.Exception);
    }

    [Fact]
    public async Task An_actors_log_carries_its_path()
    {
        var actor = Sys.ActorOf(Akka.Actor.Props.Create(() => new Talker()), "talker");
        actor.Tell("hello", Akka.Actor.ActorRefs.NoSender);

        var e = await _sink.WhenAsync(e => e.MessageTemplate.Text == "Heard {Word}");
        Assert.Equal("hello", e.Scalar("Word"));
        Assert.Equal(actor.Path.ToString(), e.Scalar("ActorPath"));
        Assert.Equal(typeof(Talker).FullName, e.Scalar("SourceContext"));
    }

    [Fact]
    public void The_configuration_keeps_the_loggers_listed_and_replaces_the_default_console_logger()
    {
        var config = ConfigurationFactory.ParseString("""akka.loggers = ["Akka.Event.DefaultLogger", "Akka.TestKit.TestEventListener, Akka.TestKit"]""").WithSerilog();

        Assert.Equal(["Akka.TestKit.TestEventListener, Akka.TestKit", "Supervise.Hosting.AkkaSerilogLogger, Supervise.Hosting"], config.GetStringList("akka.loggers"));
        Assert.Equal("Supervise.Hosting.SerilogTemplateFormatter, Supervise.Hosting", config.GetString("akka.logger-formatter"));
    }

    private sealed class Talker : Akka.Actor.ReceiveActor
    {
        public Talker() => Receive<string>(word => Context.GetLogger().Info("Heard {Word}", word));
    }
}
