using DirectConnect.Platform.Coordination;
using DirectConnect.VirtualInterfaces.Api;
using DirectConnect.VirtualInterfaces.Domain;
using DirectConnect.VirtualInterfaces.Storage;
using Microsoft.Extensions.Options;

namespace DirectConnect.VirtualInterfaces.Application;

/// <summary>
/// Rolls back creations whose interface never came to exist. In one transaction guarded by the
/// intent's ETag (which the creating transaction also deletes under), it closes the intent, leaves
/// a tombstone so the id is never used again, and publishes <c>VirtualInterfaceCreationAbandoned</c>,
/// on which the owners drop what they reserved. An interface that exists is never rolled back: a
/// creation either completes or is rolled back, never both. The same release is published a second
/// time once <see cref="VirtualInterfaceOptions.ReleaseAgainAfter"/> has passed, for a reservation
/// call that was still in flight when the creation ended.
/// </summary>
public sealed class CreationRollback(VirtualInterfaceStore store, IStateStore state, TimeProvider clock, IOptions<VirtualInterfaceOptions> options)
{
    /// <summary>
    /// Rolls back the creation of <paramref name="virtualInterfaceId"/> if its intent is still open,
    /// for <paramref name="reason"/>. When it was already rolled back, its release is published again
    /// (the caller may have reserved since). Returns true when this call closed the intent.
    /// Not cancellable: the creation's caller may be gone.
    /// </summary>
    public async Task<bool> AbandonAsync(string virtualInterfaceId, string reason)
    {
        var closed = false;
        await state.UpdateAsync(async ct =>
        {
            closed = false;
            // The intent index first: every transaction that opens or closes an intent writes it, so
            // whatever committed before this read is visible to the reads after it.
            var (intents, intentsUnchanged) = await store.GetIntentIndexAsync(ct);
            var intent = await store.GetIntentAsync(virtualInterfaceId, ct);
            if (intent is null)
            {
                var tombstone = await store.GetAbandonedAsync(virtualInterfaceId, ct);
                return tombstone is null
                    ? null // completed (the interface exists), or never opened: nothing to release
                    : ([], [VirtualInterfaceMapper.CreationAbandoned(tombstone.Value)]);
            }

            var closeIntent = new List<StateOperation>
            {
                VirtualInterfaceStore.DeleteIntent(virtualInterfaceId, intent.Unchanged),
                VirtualInterfaceStore.PutIntentIndex(intents.Without(virtualInterfaceId), intentsUnchanged),
            };
            if (await store.GetAsync(virtualInterfaceId, ct) is not null)
            {
                return (closeIntent, []); // the interface exists: an intent left open is closed, nothing is released
            }

            var open = intent.Value;
            var now = clock.GetUtcNow();
            var abandoned = new AbandonedCreation(open.VirtualInterfaceId, open.AccountId, open.Region, open.PhysicalConnectionId,
                open.BorderGatewayId, reason, now, now + options.Value.ReleaseAgainAfter) { HostedConnectionId = open.HostedConnectionId };
            var (due, dueUnchanged) = await store.GetReleaseAgainIndexAsync(ct);
            closed = true;
            return ([.. closeIntent,
                     VirtualInterfaceStore.PutAbandoned(abandoned, ETagCondition.Any),
                     VirtualInterfaceStore.PutReleaseAgainIndex(due.With(virtualInterfaceId), dueUnchanged)],
                    [VirtualInterfaceMapper.CreationAbandoned(abandoned)]);
        }, CancellationToken.None);
        return closed;
    }

    /// <summary>Publishes the second release of every rollback whose time has come. Returns how many.</summary>
    public async Task<int> ReleaseAgainAsync(CancellationToken cancellationToken)
    {
        var (due, _) = await store.GetReleaseAgainIndexAsync(cancellationToken);
        var released = 0;
        foreach (var id in due.Ids)
        {
            var tombstone = await store.GetAbandonedAsync(id, cancellationToken);
            if (tombstone is not null && tombstone.Value.ReleaseAgainAt > clock.GetUtcNow())
            {
                continue;
            }

            var done = await state.UpdateAsync(async ct =>
            {
                var (index, unchanged) = await store.GetReleaseAgainIndexAsync(ct);
                if (!index.Ids.Contains(id))
                {
                    return null; // another process did it
                }

                IReadOnlyList<OutgoingEvent> events = tombstone is null ? [] : [VirtualInterfaceMapper.CreationAbandoned(tombstone.Value)];
                return ([VirtualInterfaceStore.PutReleaseAgainIndex(index.Without(id), unchanged)], events);
            }, cancellationToken);
            released += done && tombstone is not null ? 1 : 0;
        }

        return released;
    }
}
