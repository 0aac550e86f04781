using System.Diagnostics.Metrics;
using DirectConnect.PhysicalConnections.Domain;
using DirectConnect.PhysicalConnections.Storage;
using DirectConnect.Platform.Hosting;
using DirectConnect.Platform.Resources;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DirectConnect.PhysicalConnections.Application;

/// <summary>
/// The port gauges on the <c>DirectConnect</c> meter — <c>directconnect.ports.allocated</c>,
/// <c>directconnect.ports.free</c> and <c>directconnect.ports.waiting</c> (paid connections queued
/// for a port), tagged region, location and speed — recomputed from the stored inventory every
/// <see cref="PhysicalConnectionOptions.PortMetricsInterval"/>. Read from state rather than counted
/// from calls, so every process reports the same totals and a restart loses nothing.
/// </summary>
public sealed partial class PortMetrics : BackgroundService
{
    private readonly InventoryStore _inventory;
    private readonly RegionCatalog _regions;
    private readonly TimeSpan _interval;
    private readonly ILogger<PortMetrics> _logger;
    private volatile IReadOnlyList<PortCount> _counts = [];

    /// <summary>Creates the gauges.</summary>
    public PortMetrics(InventoryStore inventory, RegionCatalog regions, IOptions<PhysicalConnectionOptions> options, IMeterFactory meterFactory,
        ILogger<PortMetrics> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meterFactory);
        _inventory = inventory;
        _regions = regions;
        _logger = logger;
        _interval = options.Value.PortMetricsInterval;
        var meter = meterFactory.Create(ServiceDefaults.MeterName);
        meter.CreateObservableGauge("directconnect.ports.allocated", () => Observe(c => c.Allocated), "{port}", "Ports held by physical connections.");
        meter.CreateObservableGauge("directconnect.ports.free", () => Observe(c => c.Free), "{port}", "Ports free to allocate.");
        meter.CreateObservableGauge("directconnect.ports.waiting", () => Observe(c => c.Waiting), "{connection}", "Paid physical connections waiting for a port.");
    }

    /// <summary>Recomputes the counts from the inventory now.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var counts = new List<PortCount>();
        foreach (var region in _regions.Regions)
        {
            var (devices, _) = await _inventory.GetDeviceIndexAsync(region, cancellationToken).ConfigureAwait(false);
            var perPool = (await _inventory.GetDevicesAsync(devices.Ids, cancellationToken).ConfigureAwait(false))
                .Where(d => !d.IsDeleted)
                .SelectMany(d => d.Ports.Select(p => (d.LocationId, p.Speed, p.IsFree)))
                .GroupBy(p => (p.LocationId, p.Speed))
                .ToDictionary(g => g.Key, g => (Allocated: g.Count(p => !p.IsFree), Free: g.Count(p => p.IsFree)));
            var (locations, _) = await _inventory.GetLocationIndexAsync(region, cancellationToken).ConfigureAwait(false);
            foreach (var location in locations.Ids)
            {
                foreach (var speed in Enum.GetValues<PortSpeed>())
                {
                    var (pool, _) = await _inventory.GetPoolAsync(location, speed, cancellationToken).ConfigureAwait(false);
                    var ports = perPool.GetValueOrDefault((location, speed));
                    if (ports.Allocated + ports.Free + pool.Waiters.Count > 0)
                    {
                        counts.Add(new PortCount(region, location, speed, ports.Allocated, ports.Free, pool.Waiters.Count));
                    }
                }
            }
        }

        _counts = counts;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Gauges keep their last values; the next tick tries again.
                LogRefreshFailed(_logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private IEnumerable<Measurement<long>> Observe(Func<PortCount, long> value) =>
        _counts.Select(c => new Measurement<long>(value(c),
            new KeyValuePair<string, object?>("region", c.Region),
            new KeyValuePair<string, object?>("location", c.LocationId),
            new KeyValuePair<string, object?>("speed", c.Speed.ToString())));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not recompute the port gauges; keeping the last values")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);

    private sealed record PortCount(string Region, string LocationId, PortSpeed Speed, long Allocated, long Free, long Waiting);
}
