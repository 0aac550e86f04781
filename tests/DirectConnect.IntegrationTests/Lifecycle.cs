using DirectConnect.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace DirectConnect.IntegrationTests;

/// <summary>Steps of the physical-connection lifecycle as a customer and an operator take them.</summary>
internal sealed class Lifecycle(GrpcChannel channel, Func<string, string[], CallOptions> callAs)
{
    public const string Region = "cn-north-1";

    public PhysicalConnectionService.PhysicalConnectionServiceClient Client { get; } = new(channel);

    public CallOptions Operator => callAs("ops", ["operator"]);

    public CallOptions Customer(string account) => callAs(account, ["customer"]);

    public async Task<PhysicalConnection> OrderAsync(string account, string locationId, PortSpeed speed = PortSpeed._10G, string name = "line") =>
        await Client.CreatePhysicalConnectionAsync(new CreatePhysicalConnectionRequest
        {
            Region = Region,
            PhysicalConnection = new PhysicalConnection
            {
                Name = name, LocationId = locationId, PortSpeed = speed, BandwidthMbps = 1000, Provider = "China Telecom",
            },
        }, Customer(account));

    public async Task<PhysicalConnection> ApproveAsync(PhysicalConnection connection) =>
        await Client.ApprovePhysicalConnectionAsync(new ApprovePhysicalConnectionRequest { Region = Region, Id = connection.Id }, Operator);

    public async Task<PhysicalConnection> PayAsync(PhysicalConnection connection) =>
        await Client.RecordPhysicalConnectionPaymentAsync(new RecordPhysicalConnectionPaymentRequest { Region = Region, Id = connection.Id }, Operator);

    public async Task<PhysicalConnection> BuildAsync(PhysicalConnection connection) =>
        await Client.CompletePhysicalConnectionConstructionAsync(new CompletePhysicalConnectionConstructionRequest { Region = Region, Id = connection.Id }, Operator);

    public async Task<PhysicalConnection> ConfirmAsync(PhysicalConnection connection) =>
        await Client.ConfirmPhysicalConnectionAsync(new ConfirmPhysicalConnectionRequest { Region = Region, Id = connection.Id }, Customer(connection.AccountId));

    public async Task<PhysicalConnection> GetAsync(string id) =>
        await Client.GetPhysicalConnectionAsync(new GetPhysicalConnectionRequest { Region = Region, Id = id }, Operator);

    /// <summary>Renames the connection as its owner (one <c>PhysicalConnectionUpdated</c> change).</summary>
    public async Task<PhysicalConnection> RenameAsync(PhysicalConnection connection, string name) =>
        await Client.UpdatePhysicalConnectionAsync(new UpdatePhysicalConnectionRequest
        {
            Region = Region,
            Id = connection.Id,
            PhysicalConnection = new PhysicalConnection { Name = name },
            UpdateMask = Google.Protobuf.WellKnownTypes.FieldMask.FromString("name"),
        }, Customer(connection.AccountId));

    public async Task<PhysicalConnection> DeleteAsync(PhysicalConnection connection) =>
        await Client.DeletePhysicalConnectionAsync(new DeletePhysicalConnectionRequest { Region = Region, Id = connection.Id }, Customer(connection.AccountId));

    /// <summary>An AVAILABLE connection: ordered, approved, paid (port allocated), built and confirmed.</summary>
    public async Task<PhysicalConnection> AvailableAsync(string account, string locationId, PortSpeed speed = PortSpeed._10G)
    {
        var paid = await PayAsync(await ApproveAsync(await OrderAsync(account, locationId, speed)));
        Assert.NotNull(paid.Port);
        return await ConfirmAsync(await BuildAsync(paid));
    }

    /// <summary><paramref name="count"/> approved connections spread over accounts (four each, inside the quota).</summary>
    public async Task<IReadOnlyList<PhysicalConnection>> ApprovedAsync(int count, string locationId, PortSpeed speed = PortSpeed._10G)
    {
        var prefix = "acct-" + Guid.NewGuid().ToString("N")[..6];
        var approved = new List<PhysicalConnection>();
        for (var i = 0; i < count; i++)
        {
            approved.Add(await ApproveAsync(await OrderAsync($"{prefix}-{i / 4}", locationId, speed, $"line-{i}")));
        }

        return approved;
    }

    /// <summary>The devices' own records of who holds which port say exactly what <paramref name="holders"/> say (no port held twice, none missing).</summary>
    public async Task AssertDevicesAgreeWithConnectionsAsync(IEnumerable<string> deviceIds, IEnumerable<PhysicalConnection> holders)
    {
        var devices = new AccessDeviceService.AccessDeviceServiceClient(channel);
        var held = new Dictionary<(string, string), string>();
        foreach (var id in deviceIds)
        {
            var device = await devices.GetAccessDeviceAsync(new GetAccessDeviceRequest { Region = Region, Id = id }, Operator);
            foreach (var port in device.Ports.Where(p => p.AllocatedPhysicalConnectionId.Length > 0))
            {
                held.Add((id, port.Name), port.AllocatedPhysicalConnectionId);
            }
        }

        Assert.Equal(holders.ToDictionary(h => (h.Port.AccessDeviceId, h.Port.PortName), h => h.Id), held);
    }

    /// <summary>Polls (bounded) until <paramref name="condition"/> holds for the connection.</summary>
    public async Task<PhysicalConnection> EventuallyAsync(string id, Func<PhysicalConnection, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var current = await GetAsync(id);
            if (condition(current))
            {
                return current;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"{id} never {what}; last seen: {current}");
            }

            await Task.Delay(25);
        }
    }
}
