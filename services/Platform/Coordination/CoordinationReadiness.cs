using DirectConnect.Platform.Coordination.Dapr;
using DirectConnect.Platform.Coordination.Sqlite;
using DirectConnect.Platform.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DirectConnect.Platform.Coordination;

/// <summary>
/// What a process needs before it takes calls (<c>/readyz</c>): the coordination store answers a read,
/// and events flow — on SQLite, this process's delivery loops run; on Dapr, its outbox relay runs
/// (the sidecar delivers the subscriptions' events; the store read goes through that same sidecar).
/// </summary>
public static class CoordinationReadiness
{
    /// <summary>The check that the store answers a read.</summary>
    public const string State = "state";

    /// <summary>The check that events flow.</summary>
    public const string Events = "events";

    /// <summary>A store read that hangs is an answer too: not ready.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>Registers the store check and the adapter's events check (<typeparamref name="TEvents"/>), both tagged <see cref="HealthTags.Ready"/>.</summary>
    internal static IServiceCollection AddCoordinationReadiness<TEvents>(this IServiceCollection services)
        where TEvents : class, IHealthCheck
    {
        services.AddHealthChecks()
            .AddCheck<StoreAnswers>(State, HealthStatus.Unhealthy, [HealthTags.Ready], Timeout)
            .AddCheck<TEvents>(Events, HealthStatus.Unhealthy, [HealthTags.Ready], Timeout);
        return services;
    }

    /// <summary>Reads a key that is never written: any answer, found or not, is the store answering.</summary>
    private sealed class StoreAnswers(IStateStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await store.GetAsync("health/readiness-probe", cancellationToken).ConfigureAwait(false);
                return HealthCheckResult.Healthy("the coordination store answers reads");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // whatever the store throws, the answer is "not ready"; the exception goes to the log, not the response
            catch (Exception exception)
#pragma warning restore CA1031
            {
                return HealthCheckResult.Unhealthy("the coordination store does not answer reads", exception);
            }
        }
    }
}

/// <summary>SQLite: every subscription's delivery loop runs in this process (<see cref="SqliteEventDispatcher.NotRunning"/>).</summary>
internal sealed class SqliteDeliveryRuns(SqliteEventDispatcher dispatcher) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(dispatcher.NotRunning is { Count: > 0 } stopped
            ? HealthCheckResult.Unhealthy($"event delivery does not run for: {string.Join(", ", stopped)}")
            : HealthCheckResult.Healthy("event delivery runs for every subscription"));
}

/// <summary>Dapr: the outbox relay, which publishes this process's committed events, runs.</summary>
internal sealed class DaprRelayRuns(DaprOutboxRelay relay) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(relay.ExecuteTask is { IsCompleted: false }
            ? HealthCheckResult.Healthy("the outbox relay runs")
            : HealthCheckResult.Unhealthy("the outbox relay does not run"));
}
