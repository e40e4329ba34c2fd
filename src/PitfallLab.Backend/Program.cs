using PitfallLab.Backend.Ops;
using PitfallLab.Backend.Simulation;
using PitfallLab.Backend.Stats;

var builder = WebApplication.CreateBuilder(args);

// ASPNETCORE_* variables are host settings, loaded before appsettings.json, so its default "Urls"
// would beat ASPNETCORE_URLS. Re-adding them, then the command line, restores the expected order:
// appsettings.json < ASPNETCORE_URLS < --urls.
builder.Configuration.AddEnvironmentVariables("ASPNETCORE_").AddCommandLine(args);

// failIds may list 1000 ten-digit ids (~12 KB): past Kestrel's 8 KB request line it would answer an empty 414.
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestLineSize = KnobLimits.MaxRequestLineBytes);

// A stop (./lab down, docker stop, Ctrl+C) waits at most 5 s for requests in flight, not .NET's default 30 s.
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
builder.Services.AddProblemDetails();
builder.Services.AddOpenApi(options => options.AddOperationTransformer<KnobsOpenApiTransformer>());
builder.Services.AddOptions<SimulatorOptions>()
    .BindConfiguration(SimulatorOptions.Section)
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.AddBackendTelemetry();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<BackendStats>();
builder.Services.AddSingleton<Simulator>();

var app = builder.Build();

// Every error is a ProblemDetails: UseExceptionHandler covers exceptions (a BadHttpRequestException keeps
// its 4xx rather than becoming a 500), UseStatusCodePages covers bodiless errors such as a 404 or 405.
app.UseExceptionHandler(new ExceptionHandlerOptions
{
    StatusCodeSelector = exception => exception is BadHttpRequestException bad
        ? bad.StatusCode
        : StatusCodes.Status500InternalServerError,
});
app.UseStatusCodePages();

app.MapOpenApi();
app.UseSwaggerUI(options => options.SwaggerEndpoint("/openapi/v1.json", "PitfallLab.Backend v1"));

app.MapOpsApi();
app.MapSimulatedApi();
app.MapStatsApi();
app.MapBackendMetrics();

app.Run();

// Internal on purpose: .NET 10 would make it public, and a test project that references both this and
// PitfallLab.Api would then see two public global Program classes (CS0433). To host this app in a
// test, use any public type of this assembly as the entry point, e.g. WebApplicationFactory<Simulator>.
internal partial class Program;
