using System.Text.Json;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Idempotency;
using DirectConnect.Platform.Resources;
using DirectConnect.PhysicalConnections.Domain;
using DirectConnect.PhysicalConnections.Storage;
using Microsoft.Extensions.Options;

namespace DirectConnect.PhysicalConnections.Application;

/// <summary>Operators register partners, a region at a time (issue 18, work in progress: no API calls this yet).</summary>
public sealed class PartnerRegistry(PartnerStore partners, OptimisticTransaction transactions, TimeProvider clock, IOptions<PhysicalConnectionOptions> options)
{
    /// <summary>
    /// Registers <paramref name="accountId"/> as a partner in <paramref name="region"/> (fields checked by
    /// <see cref="Partner.Validate"/>); ALREADY_EXISTS <c>PARTNER_ALREADY_REGISTERED</c> when it is one already.
    /// </summary>
    public Task<Partner> RegisterAsync(string region, string accountId, string name, int connectionQuota, RequestId? requestId,
        CancellationToken cancellationToken) =>
        transactions.RunAsync(requestId, async ct =>
        {
            if (await partners.GetAsync(region, accountId, ct).ConfigureAwait(false) is not null)
            {
                throw new DomainException(ErrorCode.AlreadyExists, "PARTNER_ALREADY_REGISTERED", $"Account '{accountId}' is a partner in {region} already.")
                {
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
            var index = await partners.GetIndexForAppendAsync(region, ct).ConfigureAwait(false);
            return new TransactionPlan<Partner>([PartnerStore.Put(partner, ETagCondition.MustNotExist), .. index.Append(accountId)], [], partner);
        },
        partner => JsonSerializer.SerializeToUtf8Bytes(partner, PhysicalConnectionsJsonContext.Default.Partner),
        bytes => JsonSerializer.Deserialize(bytes, PhysicalConnectionsJsonContext.Default.Partner) ?? throw new InvalidDataException("An empty partner."),
        $"the partners of {region}", cancellationToken);
}
