using System.Globalization;
using System.Text.Json;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Idempotency;
using DirectConnect.Platform.Resources;
using DirectConnect.PhysicalConnections.Api;
using DirectConnect.PhysicalConnections.Domain;
using DirectConnect.PhysicalConnections.Storage;
using Microsoft.Extensions.Options;

namespace DirectConnect.PhysicalConnections.Application;

/// <summary>
/// Operators register partners, a region at a time, and delete them once they hold no lines. Each change commits with its
/// event; a deleted registration stays as a tombstone (<see cref="Partner.Deleted"/>), so registering the account again
/// reuses its place in the region's list.
/// </summary>
public sealed class PartnerRegistry(PartnerStore partners, PhysicalConnectionStore lines, OptimisticTransaction transactions, TimeProvider clock,
    IOptions<PhysicalConnectionOptions> options)
{
    private const string ResourceType = "Partner";

    /// <summary>The most lines a refusal to delete a partner names one by one.</summary>
    public const int MaxNamedLines = 50;

    /// <summary>FAILED_PRECONDITION for a partner method called by an account no operator registered as a partner in the region.</summary>
    public static DomainException NotRegistered(string accountId, string region) =>
        new(ErrorCode.FailedPrecondition, "PARTNER_NOT_REGISTERED",
            $"Account '{accountId}' is not registered as a partner in {region}; an operator registers partners (RegisterPartner).")
        {
            PreconditionViolations = [new PreconditionViolation("PARTNER", $"{ResourceType}/{accountId}", $"not registered in {region}")],
        };

    /// <summary>
    /// Registers <paramref name="accountId"/> as a partner in <paramref name="region"/> (fields checked by
    /// <see cref="Partner.Validate"/>); ALREADY_EXISTS <c>PARTNER_ALREADY_REGISTERED</c> when it is one already.
    /// </summary>
    public Task<Partner> RegisterAsync(string region, string accountId, string name, int connectionQuota, RequestId? requestId,
        CancellationToken cancellationToken) =>
        transactions.RunAsync(requestId, async ct =>
        {
            var stored = await partners.GetAsync(region, accountId, ct).ConfigureAwait(false);
            if (stored is { Value.Deleted: false })
            {
                throw new DomainException(ErrorCode.AlreadyExists, "PARTNER_ALREADY_REGISTERED", $"Account '{accountId}' is a partner in {region} already.")
                {
                    Resource = new ResourceReference(ResourceType, accountId),
                    FieldViolations = [new FieldViolation("partner.account_id", "is registered as a partner in this region already")],
                };
            }

            var now = clock.GetUtcNow();
            var partner = new Partner
            {
                AccountId = accountId,
                Region = region,
                Name = name,
                ConnectionQuota = connectionQuota > 0 ? connectionQuota : options.Value.PartnerQuotaPerRegion,
                CreateTime = now,
                UpdateTime = now,
                ETag = ResourceIds.NewETag(),
            };
            // A tombstone means the account is in the region's index already.
            List<StateOperation> operations = stored is null
                ? [PartnerStore.Put(partner, ETagCondition.MustNotExist), .. (await partners.GetIndexForAppendAsync(region, ct).ConfigureAwait(false)).Append(accountId)]
                : [PartnerStore.Put(partner, stored.Unchanged)];
            return new TransactionPlan<Partner>(operations, [PhysicalConnectionEvents.PartnerRegistered(partner)], partner);
        }, Encode, Decode, $"the partners of {region}", cancellationToken);

    /// <summary>
    /// Deletes the registration of <paramref name="accountId"/>; FAILED_PRECONDITION <c>PARTNER_IN_USE</c>, naming them, while
    /// the partner holds lines that are not deleted or rejected. The partner's line count is part of the transaction, so a
    /// line ordered meanwhile makes one of the two lose.
    /// </summary>
    public Task<Partner> DeleteAsync(string region, string accountId, string etag, RequestId? requestId, CancellationToken cancellationToken) =>
        transactions.RunAsync(requestId, async ct =>
        {
            var stored = await partners.GetAsync(region, accountId, ct).ConfigureAwait(false);
            if (stored is not { Value.Deleted: false })
            {
                throw DomainException.NotFound(ResourceType, accountId);
            }

            if (etag.Length > 0 && etag != stored.Value.ETag)
            {
                throw DomainException.StaleETag(ResourceType, accountId);
            }

            var (usage, usageUnchanged) = await lines.GetUsageAsync(accountId, region, ct).ConfigureAwait(false);
            if (usage.Connections > 0)
            {
                var index = await lines.GetIndexAsync(accountId, region, ct).ConfigureAwait(false);
                var held = (await lines.GetManyAsync(await index.ReadAllAsync().ConfigureAwait(false), ct).ConfigureAwait(false))
                    .Where(c => c.CountsAgainstQuota).Select(c => c.Id).ToList();
                throw new DomainException(ErrorCode.FailedPrecondition, "PARTNER_IN_USE",
                    string.Create(CultureInfo.InvariantCulture, $"Partner '{accountId}' holds {held.Count} line(s) in {region}; delete them first."))
                {
                    Resource = new ResourceReference(ResourceType, accountId),
                    PreconditionViolations = [.. held.Take(MaxNamedLines).Select(id =>
                        new PreconditionViolation("PHYSICAL_CONNECTION", id, $"the partner holds physical connection {id}"))],
                };
            }

            var now = clock.GetUtcNow();
            var deleted = stored.Value with { Deleted = true, UpdateTime = now, ETag = ResourceIds.NewETag() };
            return new TransactionPlan<Partner>(
                [PartnerStore.Put(deleted, stored.Unchanged), PhysicalConnectionStore.PutUsage(accountId, region, usage, usageUnchanged)],
                [PhysicalConnectionEvents.PartnerDeleted(deleted)],
                deleted);
        }, Encode, Decode, $"partner {accountId}", cancellationToken);

    private static byte[] Encode(Partner partner) => JsonSerializer.SerializeToUtf8Bytes(partner, PhysicalConnectionsJsonContext.Default.Partner);

    private static Partner Decode(byte[] bytes) =>
        JsonSerializer.Deserialize(bytes, PhysicalConnectionsJsonContext.Default.Partner) ?? throw new InvalidDataException("An empty partner.");
}
