using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Tenancy;

namespace DirectConnect.PhysicalConnections.Domain;

/// <summary>
/// A Direct Connect partner, registered by an operator for a region (issue 18): an account that orders its own lines
/// (interconnects) under <see cref="ConnectionQuota"/> instead of the customers' quota, and allocates hosted connections
/// on them. <see cref="Name"/> is what its customers see on their hosted connections.
/// </summary>
public sealed record Partner : IAccountResource
{
    /// <summary>The most characters of a name.</summary>
    public const int MaxNameLength = 64;

    /// <summary>The partner's account.</summary>
    public required string AccountId { get; init; }

    /// <summary>The region it is registered in.</summary>
    public required string Region { get; init; }

    /// <summary>Its name, shown to customers.</summary>
    public required string Name { get; init; }

    /// <summary>How many lines (not deleted or rejected) it may hold in the region.</summary>
    public required int ConnectionQuota { get; init; }

    /// <summary>When it was registered.</summary>
    public required DateTimeOffset CreateTime { get; init; }

    /// <summary>When it last changed.</summary>
    public required DateTimeOffset UpdateTime { get; init; }

    /// <summary>The version clients send back to guard changes (AIP-154).</summary>
    public required string ETag { get; init; }

    /// <summary>
    /// True once an operator deleted the registration. The document stays as a tombstone so that the region's list index,
    /// which only grows, names each account once: registering the account again overwrites it.
    /// </summary>
    public bool Deleted { get; init; }

    /// <summary>Checks a registration's fields, naming each bad one (a quota of 0 means the configured default).</summary>
    public static void Validate(RequestValidation validation, string prefix, string accountId, string name, int connectionQuota, int maxQuota)
    {
        ArgumentNullException.ThrowIfNull(validation);
        validation.Check(Caller.IsValidAccountId(accountId), $"{prefix}account_id",
            "must be an account id: lower-case letters, digits and '-', at most 63, starting with a letter or digit");
        validation.RequireText(name, $"{prefix}name", MaxNameLength);
        validation.Check(connectionQuota >= 0 && connectionQuota <= maxQuota, $"{prefix}connection_quota",
            $"must be between 0 (the default) and {maxQuota}");
    }
}
