using DirectConnect.Cli.Calls;
using DirectConnect.Cli.Requests;
using DirectConnect.Contracts.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace DirectConnect.Cli;

/// <summary>
/// <c>--wait STATE</c>: after a mutation, waits on the watch stream, not by polling, until the resource
/// it returned is in STATE. The watch opens at the feed's head and the resource is read once it is open,
/// so no change can be missed and none older is replayed; every change to the resource triggers one
/// Get, and the Get decides. A deletion ends the wait with an error unless STATE is DELETED.
/// </summary>
public sealed class Waiting(ApiClient client, string region)
{
    /// <summary>The state field of a resource type, when it has one that <c>--wait</c> can name.</summary>
    public static FieldDescriptor? StateField(MessageDescriptor resource) =>
        resource.FindFieldByName("state") is { FieldType: FieldType.Enum } state && resource.FindFieldByName("id") is not null ? state : null;

    /// <summary>The Get method of the resource a mutation returns, <c>Get{Resource}</c> in the same service; without one, no <c>--wait</c>.</summary>
    public static MethodDescriptor? GetMethodOf(MethodDescriptor mutation) =>
        mutation.Service.Methods.FirstOrDefault(m => m.Name == "Get" + mutation.OutputType.Name && m.OutputType == mutation.OutputType);

    /// <summary>Whether <paramref name="resource"/> is in <paramref name="target"/> already.</summary>
    public static bool IsIn(IMessage resource, EnumValueDescriptor target) => StateNumber(resource, StateField(resource.Descriptor)!) == target.Number;

    /// <summary>
    /// Waits until <paramref name="resource"/> is in <paramref name="target"/>, reporting progress to
    /// <paramref name="progress"/>; returns the resource as last read. <paramref name="callerAccount"/> (the
    /// token's) decides how: the change feed shows a resource when one of its account ids is the caller's;
    /// for another account's (an operator waiting on a customer's line) it is read every
    /// <see cref="ReadInterval"/> instead, since no feed of the caller shows its changes.
    /// </summary>
    public async Task<IMessage> UntilAsync(MethodDescriptor get, IMessage resource, EnumValueDescriptor target, TimeSpan timeout, string? callerAccount,
        TextWriter progress, CancellationToken cancellationToken)
    {
        var stateField = StateField(resource.Descriptor)!;
        var id = (string)resource.Descriptor.FindFieldByName("id").Accessor.GetValue(resource);
        var accounts = AccountsOf(resource);
        var inFeed = callerAccount is null || accounts.Count == 0 || accounts.Contains(callerAccount);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        _current = resource;
        progress.WriteLine($"waiting for {id} to be {Name(target)} (now {StateOf(resource, stateField)}; at most {timeout})" + (inFeed ? "" :
            $": it is {string.Join(" and ", accounts)}'s, and your change feed shows only {callerAccount}'s, so it is read every {ReadInterval.TotalSeconds:0} s"));
        try
        {
            return inFeed
                ? await FollowFeedAsync(get, id, stateField, target, progress, limit.Token)
                : await ReadEveryIntervalAsync(get, id, stateField, target, limit.Token);
        }
        catch (Exception e) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            throw new WaitException($"timed out after {timeout} waiting for {id} to be {Name(target)} (now {StateOf(_current, stateField)})", timedOut: true);
        }
    }

    /// <summary>How often a resource outside the caller's change feed is read while waiting.</summary>
    public static TimeSpan ReadInterval { get; } = TimeSpan.FromSeconds(2);

    private IMessage _current = null!;

    /// <summary>The response header in which the watch says the position it starts after.</summary>
    public const string StartPositionHeader = "watch-start-position";

    /// <summary>Where a watch opened starts, from its response headers; null when the header is missing (a refused call).</summary>
    public static long? StartPositionOf(Metadata headers) =>
        long.TryParse(headers.GetValue(StartPositionHeader), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var position) ? position : null;

    // The watch opened at the feed's head, then one read: a change after the read is recorded after the head and
    // streamed, one before it is in what the read returns, so nothing is missed, and nothing older is replayed.
    // Then one read at each change of the resource. The server ends every stream after a while
    // (DirectConnect:Watch:MaxStreamDuration): it is reopened after the last position (or the start position)
    // seen. An account holding all its watch streams already (WATCH_LIMIT_EXCEEDED) is read at intervals instead.
    private async Task<IMessage> FollowFeedAsync(MethodDescriptor get, string id, FieldDescriptor stateField, EnumValueDescriptor target, TextWriter progress,
        CancellationToken cancellationToken)
    {
        var watch = WatchService.Descriptor.FindMethodByName("WatchChanges");
        long? position = null;
        while (true)
        {
            var request = position is { } after
                ? new WatchChangesRequest { Region = region, AfterPosition = after }
                : new WatchChangesRequest { Region = region, StartAtHead = true };
            if (await OpenWatchAsync(watch, request, id, progress, cancellationToken) is not var (call, start))
            {
                return await ReadEveryIntervalAsync(get, id, stateField, target, cancellationToken);
            }

            using (call)
            {
                position ??= start;
                if (await ReachedAsync(get, id, stateField, target, cancellationToken))
                {
                    return _current;
                }

                var stream = call.ResponseStream;
                while (await stream.MoveNext(cancellationToken))
                {
                    var change = (Change)stream.Current;
                    position = change.Position;
                    if (change.ResourceId == id && await ReachedAsync(get, id, stateField, target, cancellationToken))
                    {
                        return _current;
                    }
                }
            }
        }
    }

    // The watch once it is open, with the position it starts after; null when the account holds all its watch streams
    // already (or is over its rate), so that the wait reads at intervals instead. Only the opening falls back: a read
    // refused later is an error of the wait.
    private async Task<(AsyncServerStreamingCall<IMessage> Call, long Start)?> OpenWatchAsync(MethodDescriptor watch, WatchChangesRequest request, string id,
        TextWriter progress, CancellationToken cancellationToken)
    {
        try
        {
            var (call, headers) = await client.OpenStreamAsync(watch, request, cancellationToken);
            if (StartPositionOf(headers) is { } start)
            {
                return (call, start);
            }

            using (call)
            {
                // No start: the watch was refused, and its first read says why.
                await call.ResponseStream.MoveNext(cancellationToken);
                throw new WaitException($"the watch of {region} did not open");
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
        {
            progress.WriteLine($"the change feed refused another watch ({e.Status.Detail}); reading {id} every {ReadInterval.TotalSeconds:0} s instead");
            return null;
        }
    }

    private async Task<IMessage> ReadEveryIntervalAsync(MethodDescriptor get, string id, FieldDescriptor stateField, EnumValueDescriptor target, CancellationToken cancellationToken)
    {
        while (!await ReachedAsync(get, id, stateField, target, cancellationToken))
        {
            await Task.Delay(ReadInterval, cancellationToken);
        }

        return _current;
    }

    // One read: true when the resource is in the target state, or gone while the target is DELETED.
    private async Task<bool> ReachedAsync(MethodDescriptor get, string id, FieldDescriptor stateField, EnumValueDescriptor target, CancellationToken cancellationToken)
    {
        var read = await ReadAsync(get, id, cancellationToken);
        if (read is null)
        {
            return Name(target) == "DELETED" ? true : throw new WaitException($"{id} was deleted before it was {Name(target)}");
        }

        _current = read;
        return StateNumber(read, stateField) == target.Number;
    }

    // The accounts whose change feeds show the resource: its account_id, and a hosted connection's partner_account_id.
    private static List<string> AccountsOf(IMessage resource) =>
        resource.Descriptor.Fields.InFieldNumberOrder()
            .Where(f => f.FieldType == FieldType.String && !f.IsRepeated && (f.Name == "account_id" || f.Name.EndsWith("_account_id", StringComparison.Ordinal)))
            .Select(f => (string)f.Accessor.GetValue(resource))
            .Where(a => a.Length > 0)
            .ToList();

    private async Task<IMessage?> ReadAsync(MethodDescriptor get, string id, CancellationToken cancellationToken)
    {
        var request = (IMessage)Activator.CreateInstance(get.InputType.ClrType)!;
        get.InputType.FindFieldByName("region").Accessor.SetValue(request, region);
        get.InputType.FindFieldByName("id").Accessor.SetValue(request, id);
        try
        {
            return await client.CallAsync(get, request, cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
    }

    private static int StateNumber(IMessage resource, FieldDescriptor state) => Convert.ToInt32(state.Accessor.GetValue(resource), System.Globalization.CultureInfo.InvariantCulture);

    private static string StateOf(IMessage resource, FieldDescriptor state) =>
        state.EnumType.FindValueByNumber(StateNumber(resource, state)) is { } value ? Name(value) : "unknown";

    private static string Name(EnumValueDescriptor value) => Values.ShortName(value).Replace('-', '_').ToUpperInvariant();

    /// <summary>The state <c>--wait</c> names, by its short or full name.</summary>
    public static EnumValueDescriptor ParseTarget(FieldDescriptor stateField, string text) =>
        Values.EnumValue(stateField.EnumType, text)
        ?? throw new InputException($"--wait: \"{text}\" is not a state of {stateField.ContainingType.Name}; one of {string.Join(", ", Values.ShortNames(stateField.EnumType))}");
}

/// <summary>The wait did not end in the state: timed out (exit code 8), or the resource went away.</summary>
public sealed class WaitException(string message, bool timedOut = false) : Exception(message)
{
    /// <summary>Whether the time ran out.</summary>
    public bool TimedOut { get; } = timedOut;
}
