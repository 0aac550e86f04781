return await DirectConnect.Cli.CliApp.RunAsync(args);
