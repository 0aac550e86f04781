using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using DirectConnect.Contracts.V1;
using DirectConnect.PhysicalConnections.Application;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace DirectConnect.IntegrationTests;

/// <summary>The DirectConnect meter: calls by method and code (both transports), and the port gauges read from the inventory.</summary>
public sealed class MetricsTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>, IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentBag<(string Instrument, long Value, Dictionary<string, object?> Tags)> _measurements = [];

    private void Listen()
    {
        // Only this test's application: its meters are scoped to its IMeterFactory.
        var factory = system.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "DirectConnect" && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            _measurements.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        _listener.Start();
    }

    public void Dispose() => _listener.Dispose();

    private long Sum(string instrument, params (string Key, string Value)[] tags) =>
        _measurements.Where(m => m.Instrument == instrument && tags.All(t => Equals(m.Tags.GetValueOrDefault(t.Key), t.Value))).Sum(m => m.Value);

    [Fact]
    public async Task CallsAreCountedByMethodAndCodeWhicheverTransportTheyCameBy()
    {
        Listen();
        var client = new PhysicalConnectionService.PhysicalConnectionServiceClient(system.Channel);
        for (var i = 0; i < 3; i++)
        {
            await RpcAssert.FailsWith(StatusCode.NotFound, async () => await client.GetPhysicalConnectionAsync(
                new GetPhysicalConnectionRequest { Region = Seed.Region, Id = "dxpc-000000000000" }, system.As("metrics", "customer")));
        }

        await client.ListPhysicalConnectionsAsync(new ListPhysicalConnectionsRequest { Region = Seed.Region }, system.As("metrics", "customer"));
        using var http = system.Rest("metrics", "customer");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync($"/v1/regions/{Seed.Region}/physicalConnections/dxpc-000000000000")).StatusCode);

        const string requests = "directconnect.rpc.server.requests";
        Assert.Equal(4, Sum(requests, ("rpc.method", "GetPhysicalConnection"), ("rpc.grpc.status_code", "NOT_FOUND")));
        Assert.Equal(1, Sum(requests, ("rpc.method", "ListPhysicalConnections"), ("rpc.grpc.status_code", "OK")));
        Assert.Equal(0, Sum(requests, ("rpc.method", "GetPhysicalConnection"), ("rpc.grpc.status_code", "OK")));
        Assert.All(_measurements.Where(m => m.Instrument == requests), m => Assert.Equal("directconnect.v1.PhysicalConnectionService", m.Tags["rpc.service"]));
    }

    [Fact]
    public async Task ACallRefusedBeforeItsMethodRunsIsCountedWithTheCodeTheClientGets()
    {
        Listen();
        // The method's declared access refuses a customer before the method runs: counted, with the refusal's code.
        var locations = new LocationService.LocationServiceClient(system.Channel);
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, async () => await locations.CreateLocationAsync(
            new CreateLocationRequest { Region = Seed.Region, Location = new Location { Code = "NO-1", Name = "no" } }, system.As("metrics", "customer")));
        await locations.ListLocationsAsync(new ListLocationsRequest { Region = Seed.Region }, system.As("metrics", "customer"));

        const string requests = "directconnect.rpc.server.requests";
        Assert.Equal(1, Sum(requests, ("rpc.method", "CreateLocation"), ("rpc.grpc.status_code", "PERMISSION_DENIED")));
        Assert.Equal(0, Sum(requests, ("rpc.method", "CreateLocation"), ("rpc.grpc.status_code", "UNKNOWN")));
        Assert.Equal(1, Sum(requests, ("rpc.method", "ListLocations"), ("rpc.grpc.status_code", "OK")));
    }

    [Fact]
    public async Task PortGaugesShowAllocatedFreeAndWaitingPortsPerLocation()
    {
        var lines = new Lifecycle(system.Channel, system.As);
        var location = await system.AddLocationAsync();
        await system.AddDeviceAsync(location, ports: 2);
        await lines.AvailableAsync("gauges", location);
        var approved = await lines.ApprovedAsync(2, location);
        await lines.PayAsync(approved[0]); // takes the second port
        await lines.PayAsync(approved[1]); // waits

        Listen();
        await system.Services.GetRequiredService<PortMetrics>().RefreshAsync(CancellationToken.None);
        _listener.RecordObservableInstruments();

        Assert.Equal(2, Sum("directconnect.ports.allocated", ("location", location), ("speed", "Speed10G")));
        Assert.Equal(0, Sum("directconnect.ports.free", ("location", location)));
        Assert.Equal(1, Sum("directconnect.ports.waiting", ("location", location), ("region", Seed.Region)));
    }
}
