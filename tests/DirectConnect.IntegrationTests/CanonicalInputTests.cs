using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using DirectConnect.Contracts.V1;
using Google.Rpc;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// Validated means canonical, and stored values are safe to show: addresses in one strict spelling,
/// typed text without control, format or separator characters, and what is echoed into the log escaped.
/// </summary>
public sealed class CanonicalInputTests(CanonicalInputTests.Logged system) : IClassFixture<CanonicalInputTests.Logged>
{
    private readonly Seed _seed = new(system.Channel, system.As);

    /// <summary>The embedded system at the shipped log level (Information; REST's transcoding too), every entry captured.</summary>
    public sealed class Logged : EmbeddedSystem
    {
        public ConcurrentQueue<(string Category, string Message, Exception? Exception)> Logs { get; } = new();

        protected override IEnumerable<string> ExtraArguments => ["--Logging:LogLevel:Default=Information", "--Logging:LogLevel:Grpc.AspNetCore.Grpc.JsonTranscoding=Information"];

        protected override void Configure(WebApplicationBuilder builder) => builder.Logging.AddProvider(new LogCapture(Logs));
    }

    [Theory]
    [InlineData("169.254.31.1/30\n", "169.254.31.2/30")]
    [InlineData("169.254.31.1/+30", "169.254.31.2/30")]
    [InlineData("169.254.31.1/030", "169.254.31.2/30")]
    [InlineData("0xa9.0xfe.35.1/30", "169.254.35.2/30")]
    public async Task TheFoundCloudAddressSpellingsAreInvalidArgumentNamingTheFieldAndNothingIsCreated(string cloudAddress, string customerAddress)
    {
        var account = "canon-" + Guid.NewGuid().ToString("N")[..8];
        await system.AddDeviceAsync(system.DefaultLocationId, ports: 1);
        var line = await _seed.Lines.AvailableAsync(account, system.DefaultLocationId);
        var gateway = await _seed.AvailableGatewayAsync(account);
        var vif = Seed.Interface(line, gateway, vlan: 100);
        vif.Bgp.CloudAddress = cloudAddress; // each of these was accepted with this peer, and stored as sent
        vif.Bgp.CustomerAddress = customerAddress;

        var status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => _seed.CreateInterfaceAsync(account, vif));

        Assert.Equal(["virtual_interface.bgp.cloud_address"], status.Detail<BadRequest>().FieldViolations.Select(v => v.Field));
        Assert.Empty((await _seed.Interfaces.ListVirtualInterfacesAsync(new ListVirtualInterfacesRequest { Region = Seed.Region }, _seed.Customer(account))).VirtualInterfaces);
    }

    [Fact]
    public async Task AValueStoredBeforeValidationWasStrictMakesTheRouterConfigurationUnavailableNotInternal()
    {
        var account = "canon-" + Guid.NewGuid().ToString("N")[..8];
        await system.AddDeviceAsync(system.DefaultLocationId, ports: 1);
        var line = await _seed.Lines.AvailableAsync(account, system.DefaultLocationId);
        var gateway = await _seed.AvailableGatewayAsync(account);
        var created = await _seed.CreateInterfaceAsync(account, Seed.Interface(line, gateway, vlan: 101));
        await Seed.EventuallyAsync(() => _seed.GetInterfaceAsync(account, created.Id), v => v.State == VirtualInterface.Types.State.Available, "became AVAILABLE");

        // What an older release stored as sent: an address with a trailing newline.
        var store = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<DirectConnect.VirtualInterfaces.Storage.VirtualInterfaceStore>(system.Services);
        var state = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<DirectConnect.Platform.Coordination.IStateStore>(system.Services);
        var stored = (await store.GetAsync(created.Id, CancellationToken.None))!;
        var damaged = stored.Value with { Bgp = stored.Value.Bgp with { CloudAddress = stored.Value.Bgp.CloudAddress + "\n" } };
        Assert.True(await state.TryExecuteTransactionAsync([DirectConnect.VirtualInterfaces.Storage.VirtualInterfaceStore.Put(damaged, stored.Unchanged)], []));

        var status = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, async () => await _seed.Interfaces.GetRouterConfigurationAsync(
            new GetRouterConfigurationRequest { Region = Seed.Region, Id = created.Id, Vendor = RouterVendor.Frr }, _seed.Customer(account)));
        Assert.Equal("ROUTER_CONFIGURATION_UNAVAILABLE", status.Reason());
    }

    [Fact]
    public async Task TraceAddressesAndVpcBlocksAreParsedAsStrictly()
    {
        var account = "canon-" + Guid.NewGuid().ToString("N")[..8];
        var trace = await RpcAssert.FailsWith(StatusCode.InvalidArgument, async () => await new ReachabilityService.ReachabilityServiceClient(system.Channel)
            .TraceReachabilityAsync(new TraceReachabilityRequest { Region = Seed.Region, SourceAddress = "010.0.1.5", DestinationAddress = "0xc0.168.0.1" }, _seed.Customer(account)));
        Assert.Equal(["source_address", "destination_address"], trace.Detail<BadRequest>().FieldViolations.Select(v => v.Field));

        var vpc = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => _seed.RegisterVpcAsync(account, "10.0.0.0/08", "172.16.0.0/12\r"));
        Assert.Equal(["vpc.cidr_blocks[0]", "vpc.cidr_blocks[1]"], vpc.Detail<BadRequest>().FieldViolations.Select(v => v.Field));
    }

    [Theory]
    [InlineData("invoice\u202Efdp.exe", "U+202E (a format character)")]
    [InlineData("first\u2028second", "U+2028 (a line separator)")]
    public async Task ANameWithABidiOverrideOrALineSeparatorIsRefusedNamingTheFieldAndTheCodePoint(string name, string named)
    {
        var account = "canon-" + Guid.NewGuid().ToString("N")[..8];
        var status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => _seed.Lines.OrderAsync(account, system.DefaultLocationId, name: name));

        var violation = Assert.Single(status.Detail<BadRequest>().FieldViolations);
        Assert.Equal("physical_connection.name", violation.Field);
        Assert.Equal($"contains {named}, which is not allowed", violation.Description);
        Assert.Empty((await _seed.Lines.Client.ListPhysicalConnectionsAsync(new ListPhysicalConnectionsRequest { Region = Seed.Region }, _seed.Customer(account))).PhysicalConnections);

        // REST, and an operator's inventory text, the same.
        using var rest = system.Rest("ops", "operator");
        var response = await rest.PostAsync($"/v1/regions/{Seed.Region}/locations",
            new StringContent($"{{\"code\": \"CANON-{Guid.NewGuid().ToString("N")[..6].ToUpperInvariant()}\", \"name\": \"{name}\"}}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var restViolation = body.RootElement.GetProperty("details").EnumerateArray()
            .Single(d => d.TryGetProperty("fieldViolations", out _)).GetProperty("fieldViolations").EnumerateArray().Single();
        Assert.Equal("location.name", restViolation.GetProperty("field").GetString());
        Assert.Equal($"contains {named}, which is not allowed", restViolation.GetProperty("description").GetString());
    }

    [Fact]
    public async Task AnErrorStatusEchoingEscAndCrIsLoggedEscaped()
    {
        // The region is echoed in the INVALID_ARGUMENT, and gRPC logs every error status's message at Information
        // (REST's transcoding too, when its category is not turned down as appsettings.json does). The framework's own lines (the request path) are escaped by the console formatter:
        // ConsoleLogEscapingTests.
        var status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, async () => await new LocationService.LocationServiceClient(system.Channel)
            .ListLocationsAsync(new ListLocationsRequest { Region = "\u001B[2J\rgrpc forged" }, system.As("forger", "customer")));
        Assert.Contains(@"\u001B[2J\u000Dgrpc forged", status.Detail<BadRequest>().FieldViolations[0].Description, StringComparison.Ordinal);
        using var rest = system.Rest("forger", "customer");
        var response = await rest.GetAsync("/v1/regions/%1B%5B2J%0Drest%20forged/locations");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(@"\\u001B[2J\\u000Drest forged", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        (string Category, string Message, Exception? Exception)[] Echoes() => system.Logs.Where(l => l.Category.StartsWith("Grpc.", StringComparison.Ordinal) && l.Message.Contains(" forged", StringComparison.Ordinal)).ToArray();
        var echoes = await Seed.EventuallyAsync(() => Task.FromResult(Echoes()), e => e.Length >= 2, "logged both refusals");
        Assert.Contains(echoes, l => l.Message.Contains(@"\u001B[2J\u000Dgrpc forged", StringComparison.Ordinal));
        Assert.Contains(echoes, l => l.Message.Contains(@"\u001B[2J\u000Drest forged", StringComparison.Ordinal));
        Assert.DoesNotContain(echoes, l => l.Message.Contains('\u001B', StringComparison.Ordinal) || l.Message.Contains('\r', StringComparison.Ordinal));
    }
}
