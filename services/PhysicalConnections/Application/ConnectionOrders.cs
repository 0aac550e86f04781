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
/// transaction. Each order is still decided alone: the account's quota counts the orders accepted before it in the
/// batch, a retry with a known request id gets its first answer, and an order refused fails without the others.
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
        List<(IBatchMember<ConnectionOrder, V1.PhysicalConnection>, V1.PhysicalConnection)> accepted = [];
        List<(IBatchMember<ConnectionOrder, V1.PhysicalConnection>, Exception)> refused = [];
        var added = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var member in open)
        {
            var connection = member.Request.Connection;
            var ids = added.TryGetValue(connection.AccountId, out var list) ? list : added[connection.AccountId] = [];
            try
            {
                Quotas.Require(accounts[connection.AccountId].Usage.Connections + ids.Count, quota, "PHYSICAL_CONNECTION",
                    $"account:{connection.AccountId}/region:{region}", "physical connections (not deleted or rejected) per account and region");
            }
            catch (Platform.Errors.DomainException over)
            {
                refused.Add((member, over));
                continue;
            }

            ids.Add(connection.Id);
            accepted.Add((member, member.Request.Message));
        }

        List<StateOperation> operations = [];
        if (accepted.Count > 0)
        {
            operations.AddRange(accepted.Select(a => (StateOperation)PhysicalConnectionStore.Put(a.Item1.Request.Connection, ETagCondition.MustNotExist)));
            foreach (var (accountId, ids) in added.Where(a => a.Value.Count > 0))
            {
                var account = accounts[accountId];
                operations.AddRange(account.Index.Append(ids));
                operations.Add(PhysicalConnectionStore.PutUsage(accountId, region, new AccountUsage(account.Usage.Connections + ids.Count), account.UsageUnchanged));
            }

            operations.AddRange(regionIndex.Append(accepted.Select(a => a.Item1.Request.Connection.Id).ToArray()));
        }

        return new BatchPlan<ConnectionOrder, V1.PhysicalConnection>(operations, accepted.Select(a => a.Item1.Request.Created).ToArray(), accepted, refused);
    }
}
