using System.Globalization;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;

namespace DirectConnect.Platform.Resources;

/// <summary>How many live (not deleted) resources of one kind a scope holds, e.g. an account's border gateways in a region.</summary>
public sealed record ResourceCount(int Count);

/// <summary>
/// Quotas on resources. A quota's count is a document beside the resources, written in the same
/// transaction as every create and delete that changes it and guarded by its ETag, so concurrent
/// creates racing for the last slot serialise on it and exactly the quota's worth succeed. A delete
/// gives its slot back in its own transaction. Over the quota is RESOURCE_EXHAUSTED with a
/// <c>QuotaFailure</c> and the reason <c>&lt;RESOURCE&gt;_QUOTA_EXCEEDED</c>.
/// </summary>
public static class Quotas
{
    /// <summary>
    /// Reads the count at <paramref name="key"/> with the condition that guards writing it back. When there is
    /// none yet (the scope's first resource, or resources created before the quota existed), the resources are
    /// counted with <paramref name="countLive"/> and the write must then create the document.
    /// </summary>
    public static async Task<(int Count, ETagCondition Unchanged)> GetCountAsync(this IStateStore store, string key,
        Func<CancellationToken, Task<int>> countLive, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(countLive);
        var count = await store.GetDocumentAsync(key, PlatformJsonContext.Default.ResourceCount, cancellationToken).ConfigureAwait(false);
        return count is null
            ? (await countLive(cancellationToken).ConfigureAwait(false), ETagCondition.MustNotExist)
            : (count.Value.Count, count.Unchanged);
    }

    /// <summary>The write of a count.</summary>
    public static UpsertState PutCount(string key, int count, ETagCondition condition) =>
        StateDocuments.Put(key, new ResourceCount(Math.Max(0, count)), PlatformJsonContext.Default.ResourceCount, condition);

    /// <summary>
    /// Throws RESOURCE_EXHAUSTED with reason <c>{<paramref name="resource"/>}_QUOTA_EXCEEDED</c> when <paramref name="usage"/>
    /// leaves no room under <paramref name="quota"/>. <paramref name="subject"/> names the scope
    /// (<c>account:acme/region:cn-north-1</c>), <paramref name="what"/> the counted resources and their scope
    /// (<c>border gateways (not deleted) per account and region</c>).
    /// </summary>
    public static void Require(int usage, int quota, string resource, string subject, string what)
    {
        if (usage < quota)
        {
            return;
        }

        throw new DomainException(ErrorCode.ResourceExhausted, $"{resource}_QUOTA_EXCEEDED",
            $"{subject} already has {usage} of at most {quota} {what}.")
        {
            QuotaViolations = [new QuotaViolation(subject, $"at most {quota} {what}")],
            Metadata = new Dictionary<string, string>
            {
                ["quota"] = quota.ToString(CultureInfo.InvariantCulture),
                ["usage"] = usage.ToString(CultureInfo.InvariantCulture),
            },
        };
    }
}
