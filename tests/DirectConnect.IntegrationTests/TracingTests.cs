using System.Collections;
using System.Diagnostics;
using DirectConnect.Contracts.V1;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace DirectConnect.IntegrationTests;

/// <summary>The embedded system with every finished span also exported to memory.</summary>
public sealed class TracedEmbeddedSystem : EmbeddedSystem
{
    /// <summary>The source of the test's own root span (the "client" of the traced call).</summary>
    public static readonly ActivitySource TestSource = new("DirectConnect.IntegrationTests.Tracing");

    /// <summary>Every span the tracer provider exported, from any thread.</summary>
    public SpanCollection Spans { get; } = new();

    /// <inheritdoc />
    protected override void Configure(WebApplicationBuilder builder) =>
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing
            .AddDirectConnectTracing()
            .AddSource(TestSource.Name)
            .AddInMemoryExporter(Spans));
}

/// <summary>
/// A thread-safe collection for the in-memory exporter: spans end on request threads and on the
/// event dispatcher while the test reads.
/// </summary>
public sealed class SpanCollection : ICollection<Activity>
{
    private readonly List<Activity> _spans = [];

    /// <summary>A copy of the spans exported so far.</summary>
    public IReadOnlyList<Activity> Snapshot()
    {
        lock (_spans)
        {
            return [.. _spans];
        }
    }

    /// <inheritdoc />
    public int Count
    {
        get
        {
            lock (_spans)
            {
                return _spans.Count;
            }
        }
    }

    /// <inheritdoc />
    public bool IsReadOnly => false;

    /// <inheritdoc />
    public void Add(Activity item)
    {
        lock (_spans)
        {
            _spans.Add(item);
        }
    }

    /// <inheritdoc />
    public void Clear()
    {
        lock (_spans)
        {
            _spans.Clear();
        }
    }

    /// <inheritdoc />
    public bool Contains(Activity item)
    {
        lock (_spans)
        {
            return _spans.Contains(item);
        }
    }

    /// <inheritdoc />
    public void CopyTo(Activity[] array, int arrayIndex)
    {
        lock (_spans)
        {
            _spans.CopyTo(array, arrayIndex);
        }
    }

    /// <inheritdoc />
    public bool Remove(Activity item)
    {
        lock (_spans)
        {
            return _spans.Remove(item);
        }
    }

    /// <inheritdoc />
    public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// One trace from the gateway through the module, its calls to other modules, the state write, the
/// event and the handler that consumes it — as exported by the real OpenTelemetry pipeline.
/// </summary>
public sealed class TracingTests(TracedEmbeddedSystem system) : IClassFixture<TracedEmbeddedSystem>
{
    private const string CreateVirtualInterfaceRoute = "/directconnect.v1.VirtualInterfaceService/CreateVirtualInterface";
    private readonly Seed _seed = new(system.Channel, system.As);

    [Fact]
    public async Task ATraceSpansGatewayModuleStateWriteEventAndHandler()
    {
        // An available line and gateway, so that creating an interface calls both other modules,
        // writes state, and publishes VirtualInterfaceCreated for VirtualInterfaceCreatedHandler.
        var account = "trace-" + Guid.NewGuid().ToString("N")[..8];
        var location = await system.AddLocationAsync();
        await system.AddDeviceAsync(location, ports: 1);
        var line = await _seed.Lines.AvailableAsync(account, location);
        var gateway = await _seed.AvailableGatewayAsync(account);

        ActivityTraceId traceId;
        ActivitySpanId rootSpanId;
        VirtualInterface vif;
        using (var root = TracedEmbeddedSystem.TestSource.StartActivity("test: create a virtual interface", ActivityKind.Client))
        {
            Assert.NotNull(root); // the fixture's tracer provider listens to the test source
            traceId = root.TraceId;
            rootSpanId = root.SpanId;
            vif = await _seed.CreateInterfaceAsync(account, Seed.Interface(line, gateway, vlan: 100));
        }

        await Seed.EventuallyAsync(() => _seed.GetInterfaceAsync(account, vif.Id), v => v.State == VirtualInterface.Types.State.Available, "became AVAILABLE");
        // The consumer span ends just after the handler returns: wait (bounded) until it is exported.
        var spans = await EventuallyExportedAsync(traceId, s => s.Any(IsCreatedConsumer));
        var byId = spans.ToDictionary(s => s.SpanId);

        // The gateway's server span of the call, under the caller's HTTP client span (W3C context over gRPC).
        var request = Assert.Single(spans, s => s.Kind == ActivityKind.Server && Route(s) == CreateVirtualInterfaceRoute);
        Assert.True(byId.TryGetValue(request.ParentSpanId, out var client) && client.Kind == ActivityKind.Client,
            $"the request's parent is not a client span in the trace: {Describe(spans)}");
        Assert.True(DescendsFrom(request, rootSpanId, byId), $"the request is not under the caller's span: {Describe(spans)}");

        // The module's loopback gRPC calls to the other modules continue the trace under the request.
        foreach (var method in new[] { "v1.PhysicalConnectionService/GetPhysicalConnection", "v1.BorderGatewayService/GetBorderGateway",
                     "internal.v1.PhysicalConnectionReservationService/ReservePhysicalConnection", "internal.v1.BorderGatewayReservationService/ReserveBorderGateway" })
        {
            var call = Assert.Single(spans, s => s.Kind == ActivityKind.Server && Route(s) == $"/directconnect.{method}");
            Assert.True(byId.TryGetValue(call.ParentSpanId, out var outgoing) && outgoing.Kind == ActivityKind.Client,
                $"{method}'s parent is not the module's client span: {Describe(spans)}");
            Assert.True(DescendsFrom(call, request.SpanId, byId), $"{method} is not under the gateway request: {Describe(spans)}");
        }

        // The consumer span of VirtualInterfaceCreated hangs under the producer span of its publish,
        // which hangs under the state transaction that committed it, inside the gateway request.
        var consumer = Assert.Single(spans, IsCreatedConsumer);
        Assert.True(byId.TryGetValue(consumer.ParentSpanId, out var publish), $"the consumer's parent is not in the trace: {Describe(spans)}");
        Assert.Equal(ActivityKind.Producer, publish.Kind);
        Assert.Equal("virtual-interfaces publish", publish.DisplayName);
        Assert.Equal(consumer.GetTagItem("messaging.message.id"), publish.GetTagItem("messaging.message.id"));
        Assert.Equal(Contracts.Events.V1.VirtualInterfaceCreated.Descriptor.FullName, publish.GetTagItem("cloudevents.event_type"));
        Assert.True(byId.TryGetValue(publish.ParentSpanId, out var transaction), $"the publish span's parent is not in the trace: {Describe(spans)}");
        Assert.Equal(StateTelemetry.TransactionSpanName, transaction.DisplayName);
        Assert.Equal("sqlite", transaction.GetTagItem("db.system.name"));
        Assert.Equal("committed", transaction.GetTagItem("directconnect.state.outcome"));
        Assert.True((int)transaction.GetTagItem("db.operation.batch.size")! >= 1);
        Assert.True((int)transaction.GetTagItem("directconnect.state.event_count")! >= 1);
        Assert.True(DescendsFrom(transaction, request.SpanId, byId), $"the state transaction is not under the gateway request: {Describe(spans)}");

        // The handler's own state write (CONFIGURING → AVAILABLE) is in the same trace, under the consumer span.
        Assert.Contains(spans, s => s.DisplayName == StateTelemetry.TransactionSpanName && s.ParentSpanId == consumer.SpanId
            && (string?)s.GetTagItem("directconnect.state.outcome") == "committed");

        // Spans carry counts and names, never the request's values (the BGP peering, the prefixes).
        foreach (var span in spans)
        {
            foreach (var tag in span.TagObjects)
            {
                Assert.DoesNotContain("192.168.0.0", tag.Value?.ToString() ?? "", StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task ProbesAreNotTraced()
    {
        using var anonymous = system.Rest(null);
        foreach (var probe in new[] { "/healthz", "/readyz" })
        {
            // Readiness is 503 until the event delivery runs, which on a busy machine may be just after the host started.
            await Seed.EventuallyAsync(async () => (await anonymous.GetAsync(probe)).StatusCode, code => code == System.Net.HttpStatusCode.OK, $"{probe} answered 200");
        }

        await new Grpc.Health.V1.Health.HealthClient(system.Channel).CheckAsync(new Grpc.Health.V1.HealthCheckRequest());
        // A request after them that is traced: once its span is out, theirs would be too.
        (await anonymous.GetAsync("/openapi/v1.json")).EnsureSuccessStatusCode();
        await Seed.EventuallyAsync(() => Task.FromResult(system.Spans.Snapshot()), s => s.Any(span => Route(span) == "/openapi/v1.json"), "exported the OpenAPI request's span");

        Assert.DoesNotContain(system.Spans.Snapshot(), span => Route(span) is "/healthz" or "/readyz" || (Route(span) ?? "").StartsWith("/grpc.health", StringComparison.Ordinal));
    }

    private static bool IsCreatedConsumer(Activity span) =>
        span.Kind == ActivityKind.Consumer && (string?)span.GetTagItem("messaging.consumer.group.name") == "virtual-interfaces/created"
        && (string?)span.GetTagItem("cloudevents.event_type") == Contracts.Events.V1.VirtualInterfaceCreated.Descriptor.FullName;

    private static string? Route(Activity span) => span.GetTagItem("http.route") as string ?? span.GetTagItem("url.path") as string;

    // Whether the parent chain of exported spans leads from span to ancestor.
    private static bool DescendsFrom(Activity span, ActivitySpanId ancestor, IReadOnlyDictionary<ActivitySpanId, Activity> byId)
    {
        for (var current = span; ;)
        {
            if (current.ParentSpanId == ancestor)
            {
                return true;
            }

            if (!byId.TryGetValue(current.ParentSpanId, out var parent))
            {
                return false;
            }

            current = parent;
        }
    }

    private static string Describe(IEnumerable<Activity> spans) =>
        string.Join("; ", spans.Select(s => $"{s.DisplayName} [{s.Kind}] {s.SpanId} <- {s.ParentSpanId}"));

    private async Task<IReadOnlyList<Activity>> EventuallyExportedAsync(ActivityTraceId traceId, Func<IReadOnlyList<Activity>, bool> complete)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var spans = system.Spans.Snapshot().Where(s => s.TraceId == traceId).ToList();
            if (complete(spans))
            {
                return spans;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"the trace never held the consumer span of VirtualInterfaceCreated; it held: {Describe(spans)}");
            }

            await Task.Delay(25);
        }
    }
}

/// <summary>
/// Without an exporter nothing is traced: no tracer provider listens, so requests, state transactions and events
/// create no recorded activities (the cost of tracing is paid only when the spans go somewhere).
/// </summary>
public sealed class TracingOffByDefaultTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    [Fact]
    public void WithoutAnExporterThereIsNoTracerProvider() =>
        Assert.Null(system.Services.GetService(typeof(TracerProvider)));

    [Fact]
    public async Task AnOtlpEndpointTurnsTracingOn()
    {
        // Nothing listens on port 9 of loopback: the exporter's attempts fail quietly, which is all this needs.
        var app = Gateway.Hosting.GatewayApp.Build(
            [$"--data-dir={system.DataDirectory}-otlp", "--grpc-port=0", "--rest-port=0", "--OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:9"]);
        await using (app)
        {
            Assert.NotNull(app.Services.GetService(typeof(TracerProvider)));
        }

        Directory.Delete($"{system.DataDirectory}-otlp", recursive: true);
    }
}
