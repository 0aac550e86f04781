using DirectConnect.Gateway.Hosting;
using DirectConnect.Gateway.Security;

if (args is ["token", .. var tokenArgs])
{
    return TokenCommand.Run(tokenArgs, Console.Out, Console.Error);
}

if (args is ["agent-key", .. var agentKeyArgs])
{
    return AgentKeyCommand.Run(agentKeyArgs, Console.Out, Console.Error);
}

await GatewayApp.Build(args).RunAsync();
return 0;
