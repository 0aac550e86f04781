using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.Paging;
using Grpc.Core;
using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.BorderGateways.Api;

/// <summary>
/// Reads the VPC catalog itself (the Routing service's public <c>ListVpcs</c>), on a caller's
/// behalf: the source of truth a new gateway takes the VPCs it must attach to from. This
/// service's event-fed view of the catalog may lag behind a VPC registered a moment ago.
/// </summary>
public sealed class VpcCatalogClient(ServiceChannels services)
{
    /// <summary>The ids of the VPCs <paramref name="accountId"/> has in <paramref name="region"/> now, every page of them.</summary>
    public async Task<IReadOnlyList<string>> VpcIdsAsync(string accountId, string region, CallOptions onBehalf)
    {
        var vpcs = new V1.VpcService.VpcServiceClient(services.For("Routing"));
        var request = new V1.ListVpcsRequest { Region = region, PageSize = PageToken.MaxPageSize };
        var ids = new List<string>();
        do
        {
            var page = await vpcs.ListVpcsAsync(request, onBehalf).ResponseAsync.ConfigureAwait(false);
            // An operator's list is the region's whole catalog; the gateway is its own account's.
            ids.AddRange(page.Vpcs.Where(v => v.AccountId == accountId).Select(v => v.Id));
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);

        return ids;
    }
}
