using Supervise.Samples.Tour;

// The samples executable. Today it runs the tour: a small tree that crashes and heals.
return await TourSample.RunAsync(Console.Out);
