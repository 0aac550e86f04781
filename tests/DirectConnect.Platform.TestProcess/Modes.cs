using System.Globalization;
using System.Text;
using DirectConnect.Platform.Coordination;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DirectConnect.Platform.TestProcess;

internal sealed class Arguments(Dictionary<string, string> values)
{
    public static Arguments Parse(ReadOnlySpan<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            }

            values[args[i][2..]] = args[++i];
        }

        return new Arguments(values);
    }

    public string Required(string name) =>
        values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required.");

    public string Text(string name, string fallback) => values.GetValueOrDefault(name, fallback);

    public int Number(string name, int fallback) =>
        values.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
}

internal static class Consumer
{
    public static async Task<int> RunAsync(Arguments arguments)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSqliteCoordination(o =>
        {
            o.DatabasePath = arguments.Required("db");
            o.LeaseDuration = TimeSpan.FromMilliseconds(arguments.Number("lease-ms", 1000));
            o.PollInterval = TimeSpan.FromMilliseconds(arguments.Number("poll-ms", 50));
        });
        builder.Services.AddSingleton(new OutputFile(arguments.Required("out")));
        builder.Services.AddSingleton(new HandlerDelay(TimeSpan.FromMilliseconds(arguments.Number("delay-ms", 0))));
        builder.Services.AddEventSubscription<AppendingHandler>(
            arguments.Text("subscription", "test-consumer"), arguments.Text("topic", "test-topic"));

        using var host = builder.Build();
        await host.StartAsync();
        Console.WriteLine("ready");
        await host.WaitForShutdownAsync();
        return 0;
    }
}

internal sealed record HandlerDelay(TimeSpan Value);

/// <summary>Appends one line per delivered event, flushed at once so a SIGKILL loses nothing handled.</summary>
internal sealed class OutputFile(string path) : IDisposable
{
    private readonly FileStream _stream = new(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
    private readonly Lock _gate = new();

    public void AppendLine(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        lock (_gate)
        {
            _stream.Write(bytes);
            _stream.Flush();
        }
    }

    public void Dispose() => _stream.Dispose();
}

internal sealed class AppendingHandler(OutputFile output, HandlerDelay delay) : IEventHandler
{
    public async Task<EventHandling> HandleAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        if (delay.Value > TimeSpan.Zero)
        {
            await Task.Delay(delay.Value, cancellationToken);
        }

        output.AppendLine(cloudEvent.Id);
        return EventHandling.Success;
    }
}

internal static class Publisher
{
    public static async Task<int> RunAsync(Arguments arguments)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSqliteCoordination(o => o.DatabasePath = arguments.Required("db"));
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<IStateStore>();
        var count = arguments.Number("count", 100);
        var batch = arguments.Number("batch", 1);
        var progressEvery = arguments.Number("progress-every", 1);
        var delay = TimeSpan.FromMilliseconds(arguments.Number("delay-ms", 0));
        var topic = arguments.Text("topic", "test-topic");

        // "counter" holds the number of committed transactions: a restarted publisher carries on.
        var counter = await store.GetAsync("counter");
        var start = counter is null ? 0 : int.Parse(Encoding.UTF8.GetString(counter.Value.Span), CultureInfo.InvariantCulture);
        Console.WriteLine($"ready {start}");
        for (var i = start; i < count; i++)
        {
            var operations = new List<StateOperation>();
            var events = new List<OutgoingEvent>();
            for (var j = 0; j < batch; j++)
            {
                var value = Encoding.UTF8.GetBytes($"{i}-{j}");
                operations.Add(new UpsertState($"item-{i}-{j}", value, ETagCondition.MustNotExist));
                events.Add(new OutgoingEvent(topic, "test.Published", value) { Id = $"evt-{i}-{j}" });
            }

            operations.Add(new UpsertState("counter", Encoding.UTF8.GetBytes((i + 1).ToString(CultureInfo.InvariantCulture)),
                ETagCondition.Any));
            if (!await store.TryExecuteTransactionAsync(operations, events))
            {
                Console.WriteLine($"rejected {i}");
                return 2;
            }

            if ((i + 1) % progressEvery == 0)
            {
                Console.WriteLine($"committed {i}");
            }

            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay);
            }
        }

        Console.WriteLine("done");
        return 0;
    }
}
