using System.Runtime.CompilerServices;
using DirectConnect.Contracts.V1;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Resources;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace DirectConnect.Gateway.Watch;

/// <summary>
/// Reads a change feed from a position on: what is recorded, in order, then each new change as it
/// is recorded (woken by <see cref="ChangeFeedSignal"/> for this process's appends, and by a
/// periodic re-read for other processes'), until cancelled.
/// </summary>
public sealed class ChangeFeedReader(IStateStore store, ChangeFeedSignal signal, RegionCatalog regions, IOptions<WatchOptions> options, TimeProvider clock)
{
    /// <summary>The ErrorInfo reason when the changes after the requested position have expired.</summary>
    public const string PositionExpired = "WATCH_POSITION_EXPIRED";

    private const int BatchSize = 100;

    /// <summary>
    /// Validates the request and reads the first changes (so that every error the request can
    /// cause is raised here, before a caller starts a response), then returns the stream of
    /// changes of <paramref name="accountId"/> in <paramref name="region"/> after <paramref name="afterPosition"/>
    /// (or after the newest one, with <paramref name="startAtHead"/>), with the position it starts after.
    /// </summary>
    public async Task<(long StartPosition, IAsyncEnumerable<Change> Changes)> OpenAsync(string region, string accountId, long afterPosition, bool startAtHead,
        CancellationToken cancellationToken)
    {
        var validation = new RequestValidation();
        regions.Validate(validation, region);
        validation.Check(afterPosition >= 0, "after_position", "must not be negative");
        validation.Check(!startAtHead || afterPosition == 0, "start_at_head", "cannot be set with a non-zero after_position");
        validation.ThrowIfInvalid();

        var feed = ChangeFeedKeys.Feed(region, accountId);
        var wake = signal.Next(feed);
        var (position, first) = startAtHead
            ? (await HeadAsync(feed, cancellationToken), (IReadOnlyList<ChangeFeedEntry>)[])
            : await ReadFirstAsync(feed, afterPosition, cancellationToken);
        return (position, StreamAsync(feed, position, first, wake, cancellationToken));
    }

    private async IAsyncEnumerable<Change> StreamAsync(string feed, long position, IReadOnlyList<ChangeFeedEntry> batch, Task wake,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            foreach (var entry in batch)
            {
                yield return ToProto(entry);
                position = entry.Position;
            }

            if (batch.Count == 0)
            {
                await WaitAsync(wake, cancellationToken);
            }

            wake = signal.Next(feed);
            batch = await ReadAfterAsync(feed, position, cancellationToken);
        }
    }

    // From 0 the watch starts at the oldest change still retained; from a position, right after it.
    private async Task<(long Position, IReadOnlyList<ChangeFeedEntry> Batch)> ReadFirstAsync(string feed, long after, CancellationToken cancellationToken)
    {
        if (after == 0)
        {
            var head = await HeadAsync(feed, cancellationToken);
            after = await OldestRetainedAsync(feed, head, cancellationToken) - 1;
        }

        return (after, await ReadAfterAsync(feed, after, cancellationToken));
    }

    private async Task<IReadOnlyList<ChangeFeedEntry>> ReadAfterAsync(string feed, long after, CancellationToken cancellationToken)
    {
        // The head is read first: an entry and the head that counts it are written in one transaction,
        // so every position up to the head is there unless it expired.
        var head = await HeadAsync(feed, cancellationToken);
        if (after > head)
        {
            throw DomainException.InvalidArgument([new FieldViolation("after_position", $"is beyond the newest position of this feed ({head})")]);
        }

        if (after == head)
        {
            return [];
        }

        var keys = Enumerable.Range(1, (int)Math.Min(head - after, BatchSize)).Select(i => ChangeFeedKeys.Entry(feed, after + i)).ToArray();
        var entries = await store.GetDocumentsAsync(keys, WatchJsonContext.Default.ChangeFeedEntry, cancellationToken);
        // Entries expire oldest first, so a missing one means the changes right after the position are gone.
        return entries.Count == keys.Length ? entries : throw Expired(after, head);
    }

    private async Task<long> HeadAsync(string feed, CancellationToken cancellationToken) =>
        (await store.GetDocumentAsync(ChangeFeedKeys.Head(feed), WatchJsonContext.Default.ChangeFeedHead, cancellationToken))?.Value.Position ?? 0;

    // The retained entries are a suffix of 1..head (they expire in order): binary search for its start.
    // head + 1 when nothing is retained.
    private async Task<long> OldestRetainedAsync(string feed, long head, CancellationToken cancellationToken)
    {
        long low = 1, high = head + 1;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (await store.GetAsync(ChangeFeedKeys.Entry(feed, middle), cancellationToken) is not null)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low;
    }

    private async Task WaitAsync(Task wake, CancellationToken cancellationToken)
    {
        using var poll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reread = Task.Delay(options.Value.PollInterval, clock, poll.Token);
        await Task.WhenAny(wake, reread);
        await poll.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }

    private static DomainException Expired(long after, long head) =>
        new(ErrorCode.FailedPrecondition, PositionExpired,
            $"The changes after position {after} are no longer retained. List the resources again, then watch from position {head}.")
        {
            Metadata = new Dictionary<string, string>
            {
                ["afterPosition"] = after.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["headPosition"] = head.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            PreconditionViolations = [new PreconditionViolation("WATCH_POSITION", "after_position", $"changes after {after} expired")],
        };

    private static Change ToProto(ChangeFeedEntry entry) => new()
    {
        Position = entry.Position,
        ResourceType = entry.ResourceType,
        ResourceId = entry.ResourceId,
        ChangeType = entry.Kind switch
        {
            ChangeKind.Created => Change.Types.ChangeType.Created,
            ChangeKind.Updated => Change.Types.ChangeType.Updated,
            ChangeKind.StateChanged => Change.Types.ChangeType.StateChanged,
            ChangeKind.Deleted => Change.Types.ChangeType.Deleted,
            _ => Change.Types.ChangeType.Unspecified,
        },
        State = entry.State,
        PreviousState = entry.PreviousState,
        Time = Timestamp.FromDateTimeOffset(entry.Time),
        EventType = entry.EventType,
    };
}
