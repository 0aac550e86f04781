using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Idempotency;
using DirectConnect.Platform.Resources;
using DirectConnect.VirtualInterfaces.Api;
using DirectConnect.VirtualInterfaces.Domain;
using DirectConnect.VirtualInterfaces.Storage;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;
using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.VirtualInterfaces.Application;

/// <summary>What a validated CreateVirtualInterface asks for.</summary>
/// <param name="AccountId">The caller's account (from its token).</param>
/// <param name="Region">The region.</param>
/// <param name="RequestId">The idempotency key, if the client sent one.</param>
/// <param name="Draft">The interface to create, complete but for its id and times.</param>
public sealed record CreationRequest(string AccountId, string Region, RequestId? RequestId, VirtualInterface Draft);

/// <summary>
/// The creation saga of a virtual interface. An interface exists only while both of its owners —
/// the physical connection (with the VLAN) and the border gateway (with the IDC prefixes) — hold a
/// reservation for it, and the reservations are taken before it exists:
/// <list type="number">
/// <item>open an intent for the interface's id (one transaction: the id is neither in use, nor
/// rolled back, nor opened by another attempt);</item>
/// <item>reserve the connection, then the gateway, through their internal API;</item>
/// <item>create the interface and close the intent in one transaction, guarded by the intent's
/// ETag, with the request id's ledger entry and the quota.</item>
/// </list>
/// Every attempt that opened an intent closes it: by creating the interface, or by rolling back
/// (<see cref="CreationRollback"/>) when anything fails; only a crash leaves it to the reconciler.
/// With a request id, the id is derived from the account and the request id, so duplicates meet on
/// one id: the one that opened the intent does the work, the others wait for its outcome and never
/// reserve. A rolled-back id is never used again: a retry of the same request takes the next id of
/// its sequence (generation 1, 2, …), so a late release of the old one can never strip the new one.
/// </summary>
public sealed class VirtualInterfaceCreation(
    VirtualInterfaceStore store,
    IStateStore state,
    IReservations reservations,
    CreationRollback rollback,
    OptimisticTransaction transactions,
    RequestLedger ledger,
    IOptions<VirtualInterfaceOptions> options,
    TimeProvider clock,
    RouterFeedSignal routerFeeds)
{
    /// <summary>How many times one request may be rolled back and retried under a new id before it gives up.</summary>
    public const int MaxGenerations = 16;

    /// <summary>Runs the saga; returns the interface as created (CONFIGURING), or as first created for a retried request id.</summary>
    public async Task<V1.VirtualInterface> CreateAsync(CreationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await EarlierResultAsync(request, cancellationToken) is { } earlier)
        {
            return earlier;
        }

        var generations = request.RequestId is null ? 1 : MaxGenerations;
        for (var generation = 0; generation < generations; generation++)
        {
            var id = IdFor(request, generation);
            var intent = new CreationIntent(id, request.AccountId, request.Region, request.Draft.PhysicalConnectionId, request.Draft.BorderGatewayId,
                clock.GetUtcNow()) { HostedConnectionId = request.Draft.HostedConnectionId };
            switch (await OpenAsync(intent, cancellationToken))
            {
                case Opening.Opened:
                    return await RunAsync(request, intent, cancellationToken);
                case Opening.Exists:
                    return await ExistingAsync(request, id, cancellationToken);
                case Opening.InFlight:
                    if (await WaitForAsync(request, id, cancellationToken) is { } outcome)
                    {
                        return outcome;
                    }

                    break; // rolled back: the next generation
                case Opening.RolledBack:
                    break;
            }
        }

        throw Abandoned($"The creation was rolled back {generations} times; retry with a new request id.");
    }

    /// <summary>The id of <paramref name="generation"/> of a request: random without a request id, else derived from it.</summary>
    public static string IdFor(CreationRequest request, int generation)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestId is null)
        {
            return ResourceIds.New(VirtualInterface.IdPrefix);
        }

        var seed = generation == 0
            ? $"{request.AccountId}\n{request.RequestId.Value}"
            : $"{request.AccountId}\n{request.RequestId.Value}\n{generation.ToString(CultureInfo.InvariantCulture)}";
        return VirtualInterface.IdPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(seed)))[..12];
    }

    private async Task<V1.VirtualInterface> RunAsync(CreationRequest request, CreationIntent intent, CancellationToken cancellationToken)
    {
        // A reservation call that ends without an answer may still land: it is bounded by this
        // deadline, and the rollback's second release comes after it.
        var deadline = clock.GetUtcNow().UtcDateTime + (options.Value.ReleaseAgainAfter / 2);
        GatewayPlacement placement;
        try
        {
            await reservations.ReserveConnectionAsync(intent, request.Draft.Vlan, deadline, cancellationToken);
            placement = await reservations.ReserveGatewayAsync(intent, request.Draft.IdcPrefixes, deadline, cancellationToken);
        }
        catch (Exception exception)
        {
            await rollback.AbandonAsync(intent.VirtualInterfaceId, ReasonOf(exception));
            throw;
        }

        try
        {
            var created = await FinishAsync(request, intent, placement, cancellationToken);
            if (placement.RouterId is not null)
            {
                routerFeeds.Pulse();
            }

            return created;
        }
        catch (IntentClosedException)
        {
            // Rolled back under this attempt (it outlived AbandonAfter): release again what it took
            // since; a duplicate may have completed the request under the next id meanwhile.
            await rollback.AbandonAsync(intent.VirtualInterfaceId, "ABANDONED");
            return await EarlierResultAsync(request, CancellationToken.None)
                ?? throw Abandoned("The creation took longer than the reconciler allows and was rolled back; retry the request (with the same request id, it is created under a new id).");
        }
        catch (RequestCompletedException)
        {
            await rollback.AbandonAsync(intent.VirtualInterfaceId, "DUPLICATE");
            return (await EarlierResultAsync(request, CancellationToken.None))!;
        }
        catch (Exception exception)
        {
            await rollback.AbandonAsync(intent.VirtualInterfaceId, ReasonOf(exception));
            throw;
        }
    }

    /// <summary>Opens the intent of one attempt, unless the id is taken, rolled back or being created.</summary>
    private async Task<Opening> OpenAsync(CreationIntent intent, CancellationToken cancellationToken)
    {
        var id = intent.VirtualInterfaceId;
        for (var attempt = 0; ; attempt++)
        {
            // The intent index first: every transaction that opens or closes an intent writes it
            // under its ETag, so a commit after this read fails ours, and one before it is visible
            // to the reads that follow.
            var (intents, intentsUnchanged) = await store.GetIntentIndexAsync(cancellationToken);
            if (await store.GetIntentAsync(id, cancellationToken) is not null)
            {
                return Opening.InFlight;
            }

            if (await store.GetAsync(id, cancellationToken) is not null)
            {
                return Opening.Exists;
            }

            if (await store.GetAbandonedAsync(id, cancellationToken) is not null)
            {
                return Opening.RolledBack;
            }

            RequireQuota((await store.GetUsageAsync(intent.AccountId, intent.Region, cancellationToken)).Usage, intent);
            if (await state.TryExecuteTransactionAsync(
                    [VirtualInterfaceStore.PutIntent(intent, ETagCondition.MustNotExist),
                     VirtualInterfaceStore.PutIntentIndex(intents.With(id), intentsUnchanged)], [], cancellationToken))
            {
                return Opening.Opened;
            }

            if (attempt >= 32)
            {
                throw DomainException.Contended("the creation of virtual interfaces");
            }

            await Task.Delay(Random.Shared.Next(1, 4 << Math.Min(attempt, 5)), cancellationToken);
        }
    }

    /// <summary>Creates the interface and closes the intent in one transaction, guarded by the intent's ETag.</summary>
    private Task<V1.VirtualInterface> FinishAsync(CreationRequest request, CreationIntent intent, GatewayPlacement placement,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var vif = request.Draft with
        {
            Id = intent.VirtualInterfaceId,
            RouterId = placement.RouterId,
            AnnouncedPrefixes = placement.AnnouncedPrefixes,
            State = VirtualInterfaceState.Configuring,
            CreateTime = now,
            UpdateTime = now,
            ETag = ResourceIds.NewETag(),
        };
        var message = VirtualInterfaceMapper.ToProto(vif);
        return transactions.RunAsync(async ct =>
        {
            var (intents, intentsUnchanged) = await store.GetIntentIndexAsync(ct);
            var open = await store.GetIntentAsync(intent.VirtualInterfaceId, ct) ?? throw new IntentClosedException();
            if (request.RequestId is not null && await ledger.FindAsync(request.RequestId, ct) is not null)
            {
                throw new RequestCompletedException();
            }

            var index = await store.GetIndexForAppendAsync(request.AccountId, request.Region, ct);
            var (usage, usageUnchanged) = await store.GetUsageAsync(request.AccountId, request.Region, ct);
            RequireQuota(usage, intent);
            List<StateOperation> operations =
            [
                VirtualInterfaceStore.Put(vif, ETagCondition.MustNotExist),
                .. index.Append(vif.Id),
                VirtualInterfaceStore.PutUsage(request.AccountId, request.Region, usage with { Interfaces = usage.Interfaces + 1 }, usageUnchanged),
                VirtualInterfaceStore.DeleteIntent(vif.Id, open.Unchanged),
                VirtualInterfaceStore.PutIntentIndex(intents.Without(vif.Id), intentsUnchanged),
            ];
            if (request.RequestId is not null)
            {
                operations.Add(RequestLedger.Record(request.RequestId, message.ToByteArray()));
            }

            if (vif.RouterId is not null)
            {
                // The router's agent learns of it from its feed, in the same transaction.
                var (feed, feedUnchanged) = await store.GetRouterFeedAsync(vif.RouterId, ct);
                operations.Add(VirtualInterfaceStore.PutRouterFeed(vif.RouterId, feed.Changed(vif.Id), feedUnchanged));
            }

            return new TransactionPlan<V1.VirtualInterface>(operations, [VirtualInterfaceMapper.Created(message)], message);
        }, "the account's virtual interfaces", cancellationToken);
    }

    /// <summary>
    /// A duplicate's wait for the attempt that owns <paramref name="id"/>: its result once the
    /// interface exists, or null once it was rolled back. Bounded by the time the reconciler needs
    /// to roll back an attempt that died.
    /// </summary>
    private async Task<V1.VirtualInterface?> WaitForAsync(CreationRequest request, string id, CancellationToken cancellationToken)
    {
        var giveUp = clock.GetUtcNow() + options.Value.AbandonAfter + (2 * options.Value.ReconcileInterval);
        for (var pause = 10; ; pause = Math.Min(pause * 2, 250))
        {
            await Task.Delay(pause, cancellationToken);
            if (await store.GetIntentAsync(id, cancellationToken) is not null)
            {
                if (clock.GetUtcNow() > giveUp)
                {
                    throw new DomainException(ErrorCode.Aborted, "CREATION_IN_PROGRESS",
                        $"Virtual interface '{id}' is still being created by an earlier call with this request id; retry the request.")
                    {
                        RetryDelay = options.Value.ReconcileInterval,
                    };
                }

                continue;
            }

            if (await store.GetAsync(id, cancellationToken) is not null)
            {
                return await ExistingAsync(request, id, cancellationToken);
            }

            return null; // closed without an interface: rolled back
        }
    }

    /// <summary>The answer for an id whose interface exists: the request's first result, or (past the ledger's retention) the interface now.</summary>
    private async Task<V1.VirtualInterface> ExistingAsync(CreationRequest request, string id, CancellationToken cancellationToken) =>
        await EarlierResultAsync(request, cancellationToken)
        ?? VirtualInterfaceMapper.ToProto((await store.GetAsync(id, cancellationToken))!.Value);

    private async Task<V1.VirtualInterface?> EarlierResultAsync(CreationRequest request, CancellationToken cancellationToken) =>
        request.RequestId is not null && await ledger.FindAsync(request.RequestId, cancellationToken) is { } earlier
            ? V1.VirtualInterface.Parser.ParseFrom(earlier)
            : null;

    private void RequireQuota(VirtualInterfaceUsage usage, CreationIntent intent) =>
        Quotas.Require(usage.Interfaces, options.Value.QuotaPerAccountPerRegion, "VIRTUAL_INTERFACE",
            $"account:{intent.AccountId}/region:{intent.Region}", "virtual interfaces (not deleted) per account and region");

    private static string ReasonOf(Exception exception) => exception switch
    {
        DomainException domain => domain.Reason,
        RpcException rpc => rpc.GetRpcStatus()?.Details.Select(d => d.TryUnpack<Google.Rpc.ErrorInfo>(out var info) ? info.Reason : null)
            .FirstOrDefault(r => r is not null) ?? rpc.StatusCode.ToString().ToUpperInvariant(),
        OperationCanceledException => "CANCELLED",
        _ => "FAILED",
    };

    private static DomainException Abandoned(string message) => new(ErrorCode.Aborted, "CREATION_ABANDONED", message);

    private enum Opening
    {
        Opened,
        Exists,
        InFlight,
        RolledBack,
    }

    /// <summary>The intent was closed under this attempt: the creation was rolled back.</summary>
    private sealed class IntentClosedException : Exception;

    /// <summary>Another attempt of the same request completed first.</summary>
    private sealed class RequestCompletedException : Exception;
}
