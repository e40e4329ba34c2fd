using PitfallLab.Worker;
using PitfallLab.Worker.Bad;
using PitfallLab.Worker.Good;
using PitfallLab.Worker.Guardrails;

// Pitfall 4's worker: a generic host in its own process. The API starts it with a variant and the knobs, it runs
// its jobs, and the API sends it SIGTERM, as a deploy, a scale-down or Ctrl+C would. What happens next is the lesson.
OrphanGuard.Start();
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
var options = WorkerOptions.From(builder.Configuration);

// Short on purpose (a knob): how long the host waits for its hosted services to stop before it gives up on them.
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);
builder.Services.AddSingleton(options);
builder.Services.AddSingleton<JobRunner>();
if (options.Variant == "good")
    builder.Services.AddGoodWorker(options);
else
    builder.Services.AddBadWorker(options);

await builder.Build().RunAsync();
Protocol.Exiting();
