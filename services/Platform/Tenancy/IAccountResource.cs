using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;

namespace DirectConnect.Platform.Tenancy;

/// <summary>A regional resource owned by an account: what tenancy checks look at.</summary>
public interface IAccountResource
{
    /// <summary>The owning account.</summary>
    string AccountId { get; }

    /// <summary>The region.</summary>
    string Region { get; }
}

/// <summary>The one tenancy rule for reads by id: the resource exists in that region and the caller may see it, or it is NOT_FOUND.</summary>
public static class AccountResourceVisibility
{
    /// <summary><paramref name="stored"/> when <paramref name="caller"/> may see it in <paramref name="region"/>; NOT_FOUND otherwise (never PERMISSION_DENIED, which would confirm it exists).</summary>
    public static Versioned<T> Visible<T>(this Caller caller, Versioned<T>? stored, string region, string resourceType, string id)
        where T : IAccountResource
    {
        ArgumentNullException.ThrowIfNull(caller);
        return stored is not null && stored.Value.Region == region && caller.CanAccess(stored.Value.AccountId)
            ? stored
            : throw DomainException.NotFound(resourceType, id);
    }
}
