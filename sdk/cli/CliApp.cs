using System.CommandLine;
using System.CommandLine.Invocation;
using DirectConnect.Cli.Calls;
using DirectConnect.Cli.Catalog;
using DirectConnect.Cli.Output;
using DirectConnect.Cli.Profiles;
using DirectConnect.Cli.Requests;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace DirectConnect.Cli;

/// <summary>The command tree of <c>dc</c> and what each command does when run.</summary>
public static class CliApp
{
    private const string HttpBody = "google.api.HttpBody";

    /// <summary>Runs <c>dc</c> with <paramref name="args"/> and returns its exit code (<see cref="ExitCodes"/>).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var root = Root();
        // `dc` alone shows what it can do, as `dc --help` does.
        var parsed = root.Parse(args.Length == 0 ? ["--help"] : args);
        if (parsed.Errors.Count > 0 && parsed.Action is ParseErrorAction)
        {
            foreach (var error in parsed.Errors)
            {
                await Console.Error.WriteLineAsync($"error: {error.Message}");
            }

            await Console.Error.WriteLineAsync($"see: {CommandPath(parsed.CommandResult)} --help");
            return ExitCodes.InvalidInput;
        }

        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (InputException e)
        {
            foreach (var problem in e.Problems)
            {
                await Console.Error.WriteLineAsync($"error: {problem}");
            }

            return ExitCodes.InvalidInput;
        }
        catch (SettingsException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return e.ExitCode;
        }
        catch (RpcException e)
        {
            await Console.Error.WriteAsync(Failure.Describe(e, null));
            return ExitCodes.Of(e.StatusCode);
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C: what a shell reports for SIGINT.
            return 130;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.Other;
        }
    }

    /// <summary>The whole command tree.</summary>
    public static RootCommand Root()
    {
        var root = new RootCommand("""
            dc: the command line of DirectConnect's public API, over gRPC.
            Every public method is a command, `dc <resource> <verb>`, with the resource's fields as options.
            Start with `dc login`; then e.g. `dc physical-connections list`.
            """);
        GlobalOptions.AddTo(root);
        var groups = new Dictionary<string, Command>(StringComparer.Ordinal);
        foreach (var method in CommandCatalog.Commands)
        {
            if (method.Group is null)
            {
                root.Add(MethodCommandOf(method, method.Verb, []));
                continue;
            }

            if (!groups.TryGetValue(method.Group, out var group))
            {
                group = new Command(method.Group, ContractDocs.Of(method.Service));
                groups.Add(method.Group, group);
                root.Add(group);
            }

            group.Add(MethodCommandOf(method, method.Verb, method.Aliases));
        }

        foreach (var shortcut in CommandCatalog.Shortcuts)
        {
            var target = CommandCatalog.Commands.Single(c => c.Group == shortcut.Group && c.Verb == shortcut.Verb);
            var command = MethodCommandOf(target, shortcut.Name, []);
            command.Description = $"Same as `dc {target.Path}`. " + command.Description;
            root.Add(command);
        }

        foreach (var command in Session.Commands())
        {
            root.Add(command);
        }

        root.Add(Completion.Command());
        return root;
    }

    private static Command MethodCommandOf(MethodCommand method, string name, IReadOnlyList<string> aliases)
    {
        var command = new Command(name, ContractDocs.Of(method.Method));
        foreach (var alias in aliases)
        {
            command.Aliases.Add(alias);
        }

        var shape = RequestShape.For(method.Method.InputType, command);
        Option<string>? wait = null;
        Option<TimeSpan>? waitTimeout = null;
        var get = Waiting.GetMethodOf(method.Method);
        if (shape.IsMutation && Waiting.StateField(method.Method.OutputType) is { } state && get is not null)
        {
            wait = new Option<string>("--wait")
            {
                Description = "After the change, wait until the resource is in this state, on the change feed (another account's resource, which no feed of yours shows, is read every 2 s).",
                HelpName = string.Join('|', Values.ShortNames(state.EnumType)),
            };
            wait.CompletionSources.Add(Values.ShortNames(state.EnumType).ToArray());
            waitTimeout = new Option<TimeSpan>("--wait-timeout")
            {
                Description = "How long --wait waits, as hh:mm:ss (default 00:10:00); then exit code 8.",
                DefaultValueFactory = _ => TimeSpan.FromMinutes(10),
                HelpName = "hh:mm:ss",
            };
            command.Add(wait);
            command.Add(waitTimeout);
        }

        Option<bool>? all = null;
        if (method.Method.InputType.FindFieldByName("page_token") is not null && Printer.PagedItemsOf(method.Method.OutputType) is not null)
        {
            all = new Option<bool>("--all") { Description = "Every page: follows next_page_token to the last page and prints one list (with -o json, one document whose nextPageToken is empty)." };
            command.Add(all);
        }

        command.SetAction((parsed, cancellationToken) => RunAsync(parsed, method.Method, shape, get, wait, waitTimeout, all, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parsed, MethodDescriptor method, RequestShape shape, MethodDescriptor? get, Option<string>? waitOption,
        Option<TimeSpan>? waitTimeout, Option<bool>? allPages, CancellationToken cancellationToken)
    {
        var settings = GlobalOptions.Resolve(parsed);
        var download = method.OutputType.FullName == HttpBody || method.OutputType.FindFieldByName("content") is { FieldType: FieldType.String };
        if (settings.OutputFile is not null && !download)
        {
            throw new InputException($"-o: \"{settings.OutputFile}\" is not table, json or yaml (a file name is for commands that download a document, such as dc loa)");
        }

        var target = waitOption is not null && parsed.GetValue(waitOption) is { } waitFor
            ? Waiting.ParseTarget(Waiting.StateField(method.OutputType)!, waitFor)
            : null;
        var region = method.InputType.FindFieldByName("region") is null ? "" : settings.RequireRegion();
        var request = shape.Build(parsed, region);
        var token = await settings.TokenAsync(cancellationToken);
        using var client = new ApiClient(settings.Endpoint, token);
        var printer = new Printer(Console.Out, settings.Format);
        try
        {
            if (method.IsServerStreaming)
            {
                await StreamAsync(client, method, request, printer, cancellationToken);
                return ExitCodes.Ok;
            }

            var response = allPages is not null && parsed.GetValue(allPages)
                ? await AllPagesAsync(client, method, request, cancellationToken)
                : await client.CallAsync(method, request, cancellationToken);
            if (download && settings.Format == OutputFormat.Table)
            {
                return await WriteDocumentAsync(response, settings.OutputFile);
            }

            if (target is not null && !Waiting.IsIn(response, target))
            {
                try
                {
                    response = await new Waiting(client, region).UntilAsync(get!, response, target, parsed.GetValue(waitTimeout!), Jwt.AccountOf(token), Console.Error, cancellationToken);
                }
                catch (WaitException e)
                {
                    printer.Print(response);
                    await Console.Error.WriteLineAsync($"error: {e.Message}");
                    return e.TimedOut ? ExitCodes.WaitTimedOut : ExitCodes.Conflict;
                }
                catch (RpcException e)
                {
                    // The change is made; only the wait failed (the gateway went away, the token expired): say both.
                    printer.Print(response);
                    await Console.Error.WriteLineAsync("the change was made; waiting for its state failed:");
                    await Console.Error.WriteAsync(Failure.Describe(e, null));
                    return ExitCodes.Of(e.StatusCode);
                }
            }

            printer.Print(response);
            if (settings.Format == OutputFormat.Table && Printer.NextPageToken(response) is { } next)
            {
                await Console.Error.WriteLineAsync($"more: add --page-token {next}");
            }

            return ExitCodes.Ok;
        }
        catch (RpcException e)
        {
            await Console.Error.WriteAsync(Failure.Describe(e, shape));
            return ExitCodes.Of(e.StatusCode);
        }
    }

    // A stream with positions (the watch) is resumed after the last one when the server ends it, as it does after
    // DirectConnect:Watch:MaxStreamDuration: after the last change seen, or where the stream said it started
    // (its start-position header, for a watch opened at the head that saw nothing yet). `dc watch` runs until it
    // is stopped, and Ctrl-C (or SIGTERM) ends it cleanly.
    private static async Task StreamAsync(ApiClient client, MethodDescriptor method, IMessage request, Printer printer, CancellationToken cancellationToken)
    {
        var after = method.InputType.FindFieldByName("after_position");
        var atHead = method.InputType.FindFieldByName("start_at_head");
        var position = method.OutputType.FindFieldByName("position");
        var resumable = after?.FieldType == FieldType.Int64 && position?.FieldType == FieldType.Int64;
        try
        {
            do
            {
                var (call, headers) = await client.OpenStreamAsync(method, request, cancellationToken);
                using (call)
                {
                    if (resumable && Waiting.StartPositionOf(headers) is { } start)
                    {
                        Resume(start);
                    }

                    while (await call.ResponseStream.MoveNext(cancellationToken))
                    {
                        printer.PrintStreamed(call.ResponseStream.Current);
                        if (resumable)
                        {
                            Resume((long)position!.Accessor.GetValue(call.ResponseStream.Current));
                        }
                    }
                }
            }
            while (resumable && !cancellationToken.IsCancellationRequested);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            // Stopped by the person: how a watch is meant to end.
        }

        void Resume(long from)
        {
            after!.Accessor.SetValue(request, from);
            atHead?.Accessor.SetValue(request, false);
        }
    }

    // A list's pages, one call each, gathered into the first response; its next_page_token emptied at the end
    // (the other fields of a page, such as a virtual interface's bgp_state, are the first page's).
    private static async Task<IMessage> AllPagesAsync(ApiClient client, MethodDescriptor method, IMessage request, CancellationToken cancellationToken)
    {
        var items = Printer.PagedItemsOf(method.OutputType)!;
        var pageToken = method.InputType.FindFieldByName("page_token");
        var nextToken = method.OutputType.FindFieldByName("next_page_token");
        var all = await client.CallAsync(method, request, cancellationToken);
        var gathered = (System.Collections.IList)items.Accessor.GetValue(all);
        while ((string)nextToken.Accessor.GetValue(all) is { Length: > 0 } next)
        {
            pageToken.Accessor.SetValue(request, next);
            var page = await client.CallAsync(method, request, cancellationToken);
            foreach (var item in (System.Collections.IList)items.Accessor.GetValue(page))
            {
                gathered.Add(item);
            }

            nextToken.Accessor.SetValue(all, nextToken.Accessor.GetValue(page));
        }

        return all;
    }

    // A document: an HttpBody's bytes (the LOA PDF), or a message's `content` (a router configuration), to -o FILE or standard output.
    private static async Task<int> WriteDocumentAsync(IMessage response, string? file)
    {
        byte[] bytes;
        string contentType;
        if (response is Google.Api.HttpBody body)
        {
            bytes = body.Data.ToByteArray();
            contentType = body.ContentType;
        }
        else
        {
            bytes = System.Text.Encoding.UTF8.GetBytes((string)response.Descriptor.FindFieldByName("content").Accessor.GetValue(response));
            contentType = "text/plain";
        }

        if (file is not null)
        {
            await File.WriteAllBytesAsync(file, bytes);
            await Console.Error.WriteLineAsync($"wrote {file} ({contentType}, {bytes.Length} bytes)");
            return ExitCodes.Ok;
        }

        if (!contentType.StartsWith("text/", StringComparison.Ordinal) && !Console.IsOutputRedirected)
        {
            throw new InputException($"this is {contentType}, not text: write it to a file with -o FILE, or redirect standard output");
        }

        await using var output = Console.OpenStandardOutput();
        await output.WriteAsync(bytes);
        return ExitCodes.Ok;
    }

    private static string CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new List<string>();
        for (var at = result; at is not null; at = at.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, at.Command is RootCommand ? "dc" : at.Command.Name);
        }

        return string.Join(' ', names);
    }
}
