using DirectConnect.Cli.Calls;
using DirectConnect.Cli.Requests;
using DirectConnect.Contracts.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace DirectConnect.Cli;

/// <summary>
/// <c>--wait STATE</c>: after a mutation, waits on the watch stream, not by polling, until the resource
/// it returned is in STATE. The watch starts at position 0 (the oldest retained change), so no change
/// made after the mutation can be missed, however late the stream opens; every change to the resource
/// triggers one Get, and the Get decides. A deletion ends the wait with an error unless STATE is DELETED.
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

    /// <summary>Waits until <paramref name="resource"/> is in <paramref name="target"/>, reporting progress to <paramref name="progress"/>; returns the resource as last read.</summary>
    public async Task<IMessage> UntilAsync(MethodDescriptor get, IMessage resource, EnumValueDescriptor target, TimeSpan timeout, TextWriter progress, CancellationToken cancellationToken)
    {
        var stateField = StateField(resource.Descriptor)!;
        var id = (string)resource.Descriptor.FindFieldByName("id").Accessor.GetValue(resource);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var current = resource;
        progress.WriteLine($"waiting for {id} to be {Name(target)} (now {StateOf(current, stateField)}; at most {timeout})");
        try
        {
            var watch = WatchService.Descriptor.FindMethodByName("WatchChanges");
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(limit.Token);
            var changes = client.StreamAsync(watch, new WatchChangesRequest { Region = region, AfterPosition = 0 }, stop.Token).GetAsyncEnumerator(stop.Token);
            var next = changes.MoveNextAsync().AsTask();
            try
            {
                // The state may be there already, or be reached before the stream opens: read once now, then at each change.
                while (true)
                {
                    var read = await ReadAsync(get, id, limit.Token);
                    if (read is null)
                    {
                        // Gone: what a wait for DELETED waits for, and the end of any other.
                        return Name(target) == "DELETED" ? current : throw new WaitException($"{id} was deleted before it was {Name(target)}");
                    }

                    current = read;
                    if (StateNumber(current, stateField) == target.Number)
                    {
                        return current;
                    }

                    while (true)
                    {
                        if (!await next)
                        {
                            throw new WaitException($"the watch stream ended before {id} was {Name(target)} (now {StateOf(current, stateField)})");
                        }

                        var change = (Change)changes.Current;
                        next = changes.MoveNextAsync().AsTask();
                        if (change.ResourceId == id)
                        {
                            break;
                        }
                    }
                }
            }
            finally
            {
                await stop.CancelAsync();
                await Task.WhenAny(next);
                await changes.DisposeAsync();
            }
        }
        catch (Exception e) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested && e is OperationCanceledException or Grpc.Core.RpcException { StatusCode: Grpc.Core.StatusCode.Cancelled })
        {
            throw new WaitException($"timed out after {timeout} waiting for {id} to be {Name(target)} (now {StateOf(current, stateField)})", timedOut: true);
        }
    }

    private async Task<IMessage?> ReadAsync(MethodDescriptor get, string id, CancellationToken cancellationToken)
    {
        var request = (IMessage)Activator.CreateInstance(get.InputType.ClrType)!;
        get.InputType.FindFieldByName("region").Accessor.SetValue(request, region);
        get.InputType.FindFieldByName("id").Accessor.SetValue(request, id);
        try
        {
            return await client.CallAsync(get, request, cancellationToken);
        }
        catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound)
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
