using DirectConnect.Contracts.Internal.V1;
using DirectConnect.DataPlaneAgent;
using DirectConnect.DataPlaneAgent.Frr;
using DirectConnect.Platform.ServiceIdentity;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// The border-gateway agent (README "Data plane"): configured by environment (DirectConnect__Agent__RouterId, …),
// the command line (--DirectConnect:Agent:RouterId=…) or a JSON file (--config FILE). No appsettings.json of its
// own: it is deployed beside the gateway's in tests and would read that one.
var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = args });
var file = builder.Configuration["config"];
if (!string.IsNullOrEmpty(file))
{
    builder.Configuration.AddJsonFile(Path.GetFullPath(file), optional: false);
}

builder.Configuration.AddEnvironmentVariables().AddCommandLine(args);
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
var options = new AgentOptions();
builder.Configuration.GetSection(AgentOptions.Section).Bind(options);
if (options.Problems() is { Count: > 0 } problems)
{
    await Console.Error.WriteLineAsync("The agent's configuration is incomplete:\n  " + string.Join("\n  ", problems));
    return 2;
}

var tokens = new AgentTokens(options.RouterId, options.Key, TimeProvider.System);
Metadata Headers() => new() { { "authorization", "Bearer " + tokens.Token() } };
using var channel = GrpcChannel.ForAddress(options.ControlPlaneUrl);
var client = new DataPlaneService.DataPlaneServiceClient(channel);
builder.Services.AddSingleton(options);
builder.Services.AddSingleton(client);
builder.Services.AddSingleton<Func<Metadata>>(Headers);
builder.Services.AddSingleton<RouterHost>();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(sp => new RouterAgent(options, sp.GetRequiredService<RouterHost>(), client, Headers,
    sp.GetRequiredService<ILoggerFactory>().CreateLogger<RouterAgent>(), TimeProvider.System));
builder.Services.AddHostedService<AgentWorker>();
await builder.Build().RunAsync();
return 0;
