using System.Text.RegularExpressions;

namespace DirectConnect.Platform.Tenancy;

/// <summary>
/// Who is calling: the account taken from the credentials (never from a request body) and the
/// caller's roles. Every service method starts from this.
/// </summary>
public sealed partial record Caller(string AccountId, IReadOnlySet<string> Roles)
{
    /// <summary>True when the caller holds the operator role.</summary>
    public bool IsOperator => Roles.Contains(Role.Operator);

    /// <summary>True when the caller may see a resource of <paramref name="accountId"/>.</summary>
    public bool CanAccess(string accountId) => IsOperator || string.Equals(AccountId, accountId, StringComparison.Ordinal);

    /// <summary>Account ids are lower-case slugs: they appear in keys and paths, so no separators.</summary>
    public static bool IsValidAccountId(string? accountId) => accountId is not null && AccountIdPattern().IsMatch(accountId);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex AccountIdPattern();
}

/// <summary>The roles of the public API.</summary>
public static class Role
{
    /// <summary>A customer: acts on its own account's resources.</summary>
    public const string Customer = "customer";

    /// <summary>An operator of the cloud: reviews, bills and builds; manages inventory.</summary>
    public const string Operator = "operator";

    /// <summary>
    /// A Direct Connect partner: orders its own lines and allocates hosted connections on them to customers. The role
    /// alone is not enough: an operator must have registered the account as a partner in the region.
    /// </summary>
    public const string Partner = "partner";

    /// <summary>Every role a token may carry.</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Customer, Operator, Partner };
}

/// <summary>Names of the claims the project's tokens carry.</summary>
public static class CallerClaims
{
    /// <summary>The account id claim.</summary>
    public const string Account = "account";

    /// <summary>The roles claim (one claim per role).</summary>
    public const string Roles = "roles";
}
