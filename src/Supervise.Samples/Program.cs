using Supervise.Samples.Cli;

// The samples executable: `dotnet run --project src/Supervise.Samples -- <sample> [options]`; the tour by default.
return await SamplesCli.RunAsync(args, Console.Out, Console.Error, interactive: !Console.IsOutputRedirected);
