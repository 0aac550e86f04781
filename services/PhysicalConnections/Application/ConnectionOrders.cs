using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Idempotency;
using DirectConnect.Platform.Resources;
using DirectConnect.PhysicalConnections.Domain;
using DirectConnect.PhysicalConnections.Storage;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.PhysicalConnections.Application;

/// <summary>A connection ordered by a customer, built before it queues: the connection, its message and its Created event.</summary>
public sealed record ConnectionOrder(PhysicalConnection Connection, V1.PhysicalConnection Message, OutgoingEvent Created);

/// <summary>
/// Commits the orders of new physical connections, a region at a time, by group commit: every order appends to its
/// region's index head, so orders in one region cannot commit side by side. Those that queue while a batch commits go
/// in the next batch together: one read of the region's index and of each account's index and usage, then one
/// transaction. Each order is still decided alone: the account's quota (a registered partner's own, else the customers')
/// counts the orders accepted before it in the batch, a retry with a known request id gets its first answer, and an order refused fails without the others.
/// </summary>
public sealed class ConnectionOrders(PhysicalConnectionStore store, OptimisticTransaction transactions, IOptions<PhysicalConnectionOptions> options)
    : GroupCommit<ConnectionOrder, V1.PhysicalConnection>
{
    /// <summary>Commits <paramref name="order"/> with the other orders of its region, and returns the connection as created.</summary>
    public Task<V1.PhysicalConnection> PlaceAsync(ConnectionOrder order, RequestId? requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        return RunAsync(order.Connection.Region, order, requestId, cancellationToken);
    }

    /// <inheritdoc />
    protected override Task CommitBatchAsync(string key, IReadOnlyList<IBatchMember<ConnectionOrder, V1.PhysicalConnection>> batch) =>
        transactions.RunBatchAsync(batch, (open, cancellationToken) => PlanAsync(key, open, cancellationToken),
            connection => connection.ToByteArray(), V1.PhysicalConnection.Parser.ParseFrom, "the account's physical connections", CancellationToken.None);

    private async Task<BatchPlan<ConnectionOrder, V1.PhysicalConnection>> PlanAsync(
        string region, IReadOnlyList<IBatchMember<ConnectionOrder, V1.PhysicalConnection>> open, CancellationToken cancellationToken)
    {
        var (regionIndex, accounts) = await store.GetForCreateAsync(
            open.Select(m => m.Request.Connection.AccountId).Distinct(StringComparer.Ordinal).ToArray(), region, cancellationToken);
        var quota = options.Value.QuotaPerAccountPerRegion;
        var batch = new BatchOfCreates<ConnectionOrder, V1.PhysicalConnection>();
        foreach (var member in open)
        {
            var connection = member.Request.Connection;
            try
            {
                var account = accounts[connection.AccountId];
                Quotas.Require(account.Usage.Connections + batch.AcceptedFor(connection.AccountId), account.Partner?.ConnectionQuota ?? quota, "PHYSICAL_CONNECTION",
                    $"account:{connection.AccountId}/region:{region}", "physical connections (not deleted or rejected) per account and region");
            }
            catch (Platform.Errors.DomainException over)
            {
                batch.Refuse(member, over);
                continue;
            }

            batch.Accept(member, connection.AccountId, connection.Id, PhysicalConnectionStore.Put(connection, ETagCondition.MustNotExist),
                member.Request.Created, member.Request.Message);
        }

        return batch.ToPlan(regionIndex, accountId => accounts[accountId].Index, (accountId, added) =>
            PhysicalConnectionStore.PutUsage(accountId, region, new AccountUsage(accounts[accountId].Usage.Connections + added), accounts[accountId].UsageUnchanged));
    }
}
