using Microsoft.Extensions.Options;
using PitfallLab.Api.Backend;
using PitfallLab.Api.Data;
using PitfallLab.Api.Lab.Guardrails;
using PitfallLab.Api.Lab.Runtime;
using PitfallLab.Api.Lab.Live;

var builder = WebApplication.CreateBuilder(args);
// appsettings.json's default Urls would beat ASPNETCORE_URLS (a host setting, loaded first): restore env < --urls order.
builder.Configuration.AddEnvironmentVariables("ASPNETCORE_").AddCommandLine(args);

// A stop (./lab down, docker stop, Ctrl+C) waits at most 5 s for requests in flight, not .NET's default 30 s.
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemKeys.UseQueryNames);
builder.Services.AddExceptionHandler<BadRequestHandler>();
builder.Services.AddExceptionHandler<DependencyOutageHandler>();
builder.Services.AddOutageGuardrails();
builder.Services.AddValidation();
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddOpenApi(o => o.AddDocumentTransformer<CatalogTags>().AddOperationTransformer<KnobDocs>().AddSchemaTransformer<KnobDocs>());

builder.AddLabTelemetry();
builder.Services.AddLabDatabase(builder.Configuration);
builder.Services.AddSingleton<SandboxPools>();
builder.Services.AddStageGuard();
builder.Services.AddLabHealthChecks();
builder.Services.AddSingleton<LabMetricsListener>();
builder.Services.AddRuntimeEvents();
builder.Services.AddPitfalls();
builder.Services.AddLive();

builder.Services.AddOptions<BackendOptions>().BindConfiguration("Backend").ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddHttpClient<BackendClient>((sp, http) =>
{
    var options = sp.GetRequiredService<IOptions<BackendOptions>>().Value;
    http.BaseAddress = new Uri(options.BaseUrl.TrimEnd('/') + "/");
    http.Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
});

var app = builder.Build();
// Listening from the first request on: /lab/stats shows every measurement since start (or the last reset).
app.Services.GetRequiredService<LabMetricsListener>();
app.StartRuntimeEvents();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseStageGuard();

app.MapOpenApi();
app.UseSwaggerUI(o =>
{
    o.SwaggerEndpoint("/openapi/v1.json", "PitfallLab");
    o.RoutePrefix = "swagger";
    o.DocumentTitle = "PitfallLab";
});

app.MapHome();
app.MapCatalog();
app.MapPitfalls();
app.MapLab();
app.MapLabHealth();
app.MapLabMetrics();
app.MapLive();

app.Run();
