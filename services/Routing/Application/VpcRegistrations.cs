using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Idempotency;
using DirectConnect.Platform.Resources;
using DirectConnect.Routing.Domain;
using DirectConnect.Routing.Storage;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.Routing.Application;

/// <summary>A VPC to register, built before it queues: the VPC, its message and its Registered event.</summary>
public sealed record VpcRegistration(Vpc Vpc, V1.Vpc Message, OutgoingEvent Registered);

/// <summary>
/// Commits VPC registrations a region at a time by group commit, as <c>ConnectionOrders</c> does for physical
/// connections: every registration appends to its region's index head, so those that queue while a batch commits go
/// in the next batch together (a catalog sync registers many at once). Each is still decided alone: an id registered
/// already, or earlier in the same batch, is <c>VPC_ALREADY_REGISTERED</c>; the account's quota counts the
/// registrations accepted before it in the batch.
/// </summary>
public sealed class VpcRegistrations(VpcStore store, OptimisticTransaction transactions, IOptions<RoutingOptions> options)
    : GroupCommit<VpcRegistration, V1.Vpc>
{
    /// <summary>Commits <paramref name="registration"/> with the other registrations of its region, and returns the VPC as registered.</summary>
    public Task<V1.Vpc> RegisterAsync(VpcRegistration registration, RequestId? requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        return RunAsync(registration.Vpc.Region, registration, requestId, cancellationToken);
    }

    /// <inheritdoc />
    protected override Task CommitBatchAsync(string key, IReadOnlyList<IBatchMember<VpcRegistration, V1.Vpc>> batch) =>
        transactions.RunBatchAsync(batch, (open, cancellationToken) => PlanAsync(key, open, cancellationToken),
            vpc => vpc.ToByteArray(), V1.Vpc.Parser.ParseFrom, $"the VPCs of {key}", CancellationToken.None);

    private async Task<BatchPlan<VpcRegistration, V1.Vpc>> PlanAsync(
        string region, IReadOnlyList<IBatchMember<VpcRegistration, V1.Vpc>> open, CancellationToken cancellationToken)
    {
        var (registered, regionIndex, accounts) = await store.GetForRegistrationAsync(
            open.Select(m => m.Request.Vpc.Id).Distinct(StringComparer.Ordinal).ToArray(),
            open.Select(m => m.Request.Vpc.AccountId).Distinct(StringComparer.Ordinal).ToArray(), region, cancellationToken);
        var quota = options.Value.VpcQuotaPerAccountPerRegion;
        var batch = new BatchOfCreates<VpcRegistration, V1.Vpc>();
        var taken = new HashSet<string>(registered, StringComparer.Ordinal);
        foreach (var member in open)
        {
            var vpc = member.Request.Vpc;
            if (taken.Contains(vpc.Id))
            {
                batch.Refuse(member, new DomainException(ErrorCode.AlreadyExists, "VPC_ALREADY_REGISTERED", $"VPC '{vpc.Id}' is already registered.")
                {
                    Resource = new ResourceReference("Vpc", vpc.Id, "already registered"),
                });
                continue;
            }

            try
            {
                Quotas.Require(accounts[vpc.AccountId].Count + batch.AcceptedFor(vpc.AccountId), quota, "VPC", $"account:{vpc.AccountId}/region:{region}",
                    "VPCs (not deregistered) per account and region");
            }
            catch (DomainException over)
            {
                batch.Refuse(member, over);
                continue;
            }

            taken.Add(vpc.Id);
            batch.Accept(member, vpc.AccountId, vpc.Id, VpcStore.Put(vpc, ETagCondition.MustNotExist), member.Request.Registered, member.Request.Message);
        }

        return batch.ToPlan(regionIndex, accountId => accounts[accountId].Index, (accountId, added) =>
            VpcStore.PutCount(accountId, region, accounts[accountId].Count + added, accounts[accountId].CountUnchanged));
    }
}
