using DirectConnect.Platform.Errors;

namespace DirectConnect.BorderGateways.Domain;

/// <summary>Where a router is in the inventory.</summary>
public enum RouterState
{
    /// <summary>In service: gateways may be placed on it.</summary>
    Active = 1,
    /// <summary>Removed (tombstone).</summary>
    Deleted = 2,
}

/// <summary>
/// A cloud-side router (<c>rtr-…</c>) running FRRouting, driven by one border-gateway agent. Border
/// gateways are placed on routers at creation; a router carrying gateways cannot be removed.
/// </summary>
public sealed record Router
{
    /// <summary>The id prefix.</summary>
    public const string IdPrefix = "rtr-";

    /// <summary>The ASN of a router's own BGP instance when the operator gives none.</summary>
    public const long DefaultAsn = 64999;

    /// <summary>The longest port name: with a dot and a 4-digit VLAN it still fits Linux's 15-character interface names.</summary>
    public const int MaxInterfaceNameLength = 10;

    /// <summary>Server-generated id.</summary>
    public required string Id { get; init; }

    /// <summary>The region.</summary>
    public required string Region { get; init; }

    /// <summary>Host name (never written into any configuration).</summary>
    public required string Name { get; init; }

    /// <summary>The port facing the access devices; sub-interfaces are <c>&lt;port&gt;.&lt;vlan&gt;</c>.</summary>
    public required string InterfaceName { get; init; }

    /// <summary>The ASN of the router's own BGP instance.</summary>
    public required long Asn { get; init; }

    /// <summary>The gateways placed on it (not deleted).</summary>
    public IReadOnlyList<string> BorderGatewayIds { get; init; } = [];

    /// <summary>The state.</summary>
    public required RouterState State { get; init; }

    /// <summary>When it was registered.</summary>
    public required DateTimeOffset CreateTime { get; init; }

    /// <summary>When it last changed.</summary>
    public required DateTimeOffset UpdateTime { get; init; }

    /// <summary>Resource version.</summary>
    public required string ETag { get; init; }

    /// <summary>True once deleted.</summary>
    public bool IsDeleted => State == RouterState.Deleted;

    /// <summary>Whether <paramref name="name"/> is a port name a router's agent can build sub-interface names on.</summary>
    public static bool IsValidInterfaceName(string name) =>
        name.Length is > 0 and <= MaxInterfaceNameLength && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>The rule <see cref="IsValidInterfaceName"/> checks, for error messages.</summary>
    public const string InterfaceNameRule = "must be 1–10 of A–Z a–z 0–9 _ - (a Linux port name that leaves room for .<vlan>)";

    /// <summary>The router with <paramref name="gatewayId"/> placed on it.</summary>
    public Router WithGateway(string gatewayId, DateTimeOffset now, string etag) =>
        this with { BorderGatewayIds = [.. BorderGatewayIds.Where(g => g != gatewayId), gatewayId], UpdateTime = now, ETag = etag };

    /// <summary>The router without <paramref name="gatewayId"/>.</summary>
    public Router WithoutGateway(string gatewayId, DateTimeOffset now, string etag) =>
        this with { BorderGatewayIds = BorderGatewayIds.Where(g => g != gatewayId).ToArray(), UpdateTime = now, ETag = etag };

    /// <summary>The router removed from the inventory; refused while gateways are placed on it.</summary>
    public Router Delete(DateTimeOffset now, string etag)
    {
        if (BorderGatewayIds.Count > 0)
        {
            throw new DomainException(ErrorCode.FailedPrecondition, "ROUTER_IN_USE",
                $"Router '{Id}' carries border gateways {string.Join(", ", BorderGatewayIds)}; delete them first.")
            {
                Resource = new ResourceReference("Router", Id),
                PreconditionViolations = BorderGatewayIds
                    .Select(g => new PreconditionViolation("BORDER_GATEWAY", g, $"border gateway {g} is placed on this router")).ToArray(),
            };
        }

        return this with { State = RouterState.Deleted, UpdateTime = now, ETag = etag };
    }

    /// <summary>The router to place a new gateway on: the active one carrying the fewest, the lowest id on a tie; null when none.</summary>
    public static Router? ChooseForPlacement(IEnumerable<Router> routers) =>
        routers.Where(r => !r.IsDeleted).OrderBy(r => r.BorderGatewayIds.Count).ThenBy(r => r.Id, StringComparer.Ordinal).FirstOrDefault();
}
