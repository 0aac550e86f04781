using DirectConnect.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace DirectConnect.IntegrationTests;

/// <summary>Reads an account's change feed from the start, as a client that watches does.</summary>
internal static class Feed
{
    /// <summary>
    /// Every change of the caller's account in <see cref="Seed.Region"/>, read until the stream has
    /// been quiet for <paramref name="quiet"/> (call it once the system has settled).
    /// </summary>
    public static async Task<List<Change>> ReadAsync(GrpcChannel channel, CallOptions caller, TimeSpan quiet)
    {
        var watch = new WatchService.WatchServiceClient(channel);
        using var stop = new CancellationTokenSource();
        using var call = watch.WatchChanges(new WatchChangesRequest { Region = Seed.Region, AfterPosition = 0 }, caller.WithCancellationToken(stop.Token));
        var changes = new List<Change>();
        while (true)
        {
            var next = call.ResponseStream.MoveNext(stop.Token);
            if (await Task.WhenAny(next, Task.Delay(quiet)) != next)
            {
                await stop.CancelAsync();
                try
                {
                    await next;
                }
                catch (RpcException exception) when (exception.StatusCode == StatusCode.Cancelled)
                {
                }

                return changes;
            }

            if (!await next)
            {
                return changes;
            }

            changes.Add(call.ResponseStream.Current);
        }
    }

    /// <summary>The feed's DELETED changes of virtual interfaces that never existed (not listed, even with show_deleted).</summary>
    public static IReadOnlyList<string> DeletionsOfInterfacesThatNeverExisted(IEnumerable<Change> changes, IEnumerable<VirtualInterface> everyInterface)
    {
        var existed = everyInterface.Select(v => v.Id).ToHashSet(StringComparer.Ordinal);
        return changes
            .Where(c => c.ResourceType == "virtualInterface" && c.ChangeType == Change.Types.ChangeType.Deleted && !existed.Contains(c.ResourceId))
            .Select(c => $"position {c.Position}: {c.ResourceId} {c.EventType}")
            .ToArray();
    }
}
