using DirectConnect.Contracts.Internal.V1;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DirectConnect.DataPlaneAgent;

/// <summary>
/// The agent's one loop: follows the router's desired-state stream from the last applied position and, between
/// messages, reads the local router every <see cref="AgentOptions.StatusInterval"/>. Applying and reading take
/// turns, so vtysh never runs twice at once. A broken stream is opened again after a backoff (0.5 s doubling up
/// to <see cref="AgentOptions.MaxReconnectDelay"/>), from the position last saved.
/// </summary>
internal sealed partial class AgentWorker(RouterAgent agent, DataPlaneService.DataPlaneServiceClient client, Func<Metadata> headers,
    AgentOptions options, ILogger<AgentWorker> logger) : BackgroundService
{
    // Interfaces whose sub-interface was missing are tried again this often (in status reads).
    private const int RetryEveryReads = 10;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await FollowAsync(stoppingToken);
                LogStreamEnded(logger);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (RestartFromScratchException)
            {
                delay = TimeSpan.Zero;
            }
            catch (RpcException e)
            {
                LogStreamFailed(logger, e.StatusCode, e.Status.Detail);
            }
#pragma warning disable CA1031 // The agent outlives any one failure: it logs it and reconnects.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogUnexpected(logger, e);
            }

            await Task.Delay(delay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            delay = TimeSpan.FromTicks(Math.Clamp(delay.Ticks * 2, TimeSpan.FromMilliseconds(500).Ticks, options.MaxReconnectDelay.Ticks));
        }
    }

    private async Task FollowAsync(CancellationToken stoppingToken)
    {
        using var call = client.WatchRouterDesiredState(
            new WatchRouterDesiredStateRequest { RouterId = options.RouterId, AfterPosition = agent.State.Position },
            headers(), cancellationToken: stoppingToken);
        LogFollowing(logger, options.RouterId, agent.State.Position);
        var next = call.ResponseStream.MoveNext(stoppingToken);
        var reads = 0;
        while (true)
        {
            var tick = Task.Delay(options.StatusInterval, stoppingToken);
            if (await Task.WhenAny(next, tick) == next)
            {
                if (!await next)
                {
                    return;
                }

                await agent.ApplyAsync(call.ResponseStream.Current, stoppingToken);
                next = call.ResponseStream.MoveNext(stoppingToken);
                continue;
            }

            await tick;
            if (++reads % RetryEveryReads == 0)
            {
                await agent.RetryFailedAsync(stoppingToken);
            }

            await agent.ObserveAndReportAsync(stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Following the desired state of {RouterId} after position {Position}")]
    private static partial void LogFollowing(ILogger logger, string routerId, long position);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The desired-state stream ended; reconnecting")]
    private static partial void LogStreamEnded(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The desired-state stream failed ({Code}: {Detail}); reconnecting")]
    private static partial void LogStreamFailed(ILogger logger, StatusCode code, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "The agent met an unexpected failure; reconnecting")]
    private static partial void LogUnexpected(ILogger logger, Exception exception);
}
