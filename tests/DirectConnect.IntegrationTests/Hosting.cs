using DirectConnect.Contracts.V1;
using Grpc.Core;

namespace DirectConnect.IntegrationTests;

/// <summary>Steps of the partner flow as an operator, a partner and a customer take them over the public gRPC API.</summary>
internal sealed class Hosting(EmbeddedSystem system)
{
    public const string Region = Lifecycle.Region;

    public Lifecycle Lines { get; } = new(system.Channel, system.As);

    public HostedConnectionService.HostedConnectionServiceClient Hosted { get; } = new(system.Channel);

    public PartnerService.PartnerServiceClient Partners { get; } = new(system.Channel);

    public CallOptions Operator => system.As("ops", "operator");

    public CallOptions Partner(string account) => system.As(account, "partner");

    public CallOptions Customer(string account) => system.As(account, "customer");

    /// <summary>The name partners are registered with unless a test says otherwise (it names no account).</summary>
    public const string DefaultName = "Example Carrier Networks";

    public static string NewAccount(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";

    public async Task<Partner> RegisterAsync(string account, int quota = 0, string? name = null) =>
        await Partners.RegisterPartnerAsync(new RegisterPartnerRequest
        {
            Region = Region,
            Partner = new Partner { AccountId = account, Name = name ?? DefaultName, ConnectionQuota = quota },
        }, Operator);

    /// <summary>A registered partner with one AVAILABLE 1G line (1,000 Mbit/s) at a new location.</summary>
    public async Task<(string Partner, PhysicalConnection Line)> PartnerWithLineAsync()
    {
        var partner = NewAccount("partner");
        await RegisterAsync(partner);
        return (partner, await LineAsync(partner));
    }

    /// <summary>Another AVAILABLE 1G line of <paramref name="partner"/>, at a new location.</summary>
    public async Task<PhysicalConnection> LineAsync(string partner)
    {
        var location = await system.AddLocationAsync();
        await system.AddDeviceAsync(location, ports: 1, PortSpeed._1G);
        return await Lines.AvailableAsync(partner, location, PortSpeed._1G);
    }

    public async Task<HostedConnection> AllocateAsync(string partner, string lineId, string customer, int vlan, int mbps, string requestId = "") =>
        await Hosted.AllocateHostedConnectionAsync(new AllocateHostedConnectionRequest
        {
            Region = Region,
            HostedConnection = new HostedConnection { PhysicalConnectionId = lineId, AccountId = customer, Vlan = vlan, BandwidthMbps = mbps },
            RequestId = requestId,
        }, Partner(partner));

    public async Task<HostedConnection> GetAsync(string id, CallOptions options) =>
        await Hosted.GetHostedConnectionAsync(new GetHostedConnectionRequest { Region = Region, Id = id }, options);

    public async Task<HostedConnection> AcceptAsync(HostedConnection hosted, CallOptions? options = null) =>
        await Hosted.AcceptHostedConnectionAsync(new AcceptHostedConnectionRequest { Region = Region, Id = hosted.Id, Etag = hosted.Etag },
            options ?? Customer(hosted.AccountId));

    public async Task<HostedConnection> DeclineAsync(HostedConnection hosted, CallOptions? options = null) =>
        await Hosted.DeclineHostedConnectionAsync(new DeclineHostedConnectionRequest { Region = Region, Id = hosted.Id },
            options ?? Customer(hosted.AccountId));

    public async Task<HostedConnection> DeleteAsync(string id, CallOptions options) =>
        await Hosted.DeleteHostedConnectionAsync(new DeleteHostedConnectionRequest { Region = Region, Id = id }, options);

    public async Task<IReadOnlyList<HostedConnection>> ListAsync(CallOptions options, string lineId = "", bool showDeleted = false)
    {
        var all = new List<HostedConnection>();
        var token = "";
        do
        {
            var page = await Hosted.ListHostedConnectionsAsync(new ListHostedConnectionsRequest
            {
                Region = Region, PhysicalConnectionId = lineId, ShowDeleted = showDeleted, PageSize = 7, PageToken = token,
            }, options);
            all.AddRange(page.HostedConnections);
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return all;
    }
}
