using DirectConnect.Gateway.Hosting;
using DirectConnect.Gateway.Security;

if (args is ["token", .. var tokenArgs])
{
    return TokenCommand.Run(tokenArgs, Console.Out, Console.Error);
}

await GatewayApp.Build(args).RunAsync();
return 0;
