using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using DirectConnect.Contracts.V1;
using DirectConnect.Gateway.Hosting;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace DirectConnect.IntegrationTests;

/// <summary>The embedded system with Prometheus metrics on a port of their own (a free one).</summary>
public sealed class MetricsEmbeddedSystem : EmbeddedSystem
{
    /// <inheritdoc />
    protected override IEnumerable<string> ExtraArguments => ["--DirectConnect:MetricsPort=0"];

    /// <summary>Where <c>/metrics</c> is served.</summary>
    public Uri MetricsAddress => Services.GetRequiredService<GatewayEndpoints>().MetricsAddress!;
}

/// <summary>
/// Prometheus <c>/metrics</c>, scraped as Prometheus does: on its own port, without a token, with the
/// DirectConnect meter in Prometheus' text format — and served nowhere else.
/// </summary>
public sealed partial class PrometheusMetricsTests(MetricsEmbeddedSystem system) : IClassFixture<MetricsEmbeddedSystem>
{
    /// <summary>The value of <paramref name="name"/>'s sample whose labels include every one of <paramref name="labels"/> (null: no such sample).</summary>
    public static double? Sample(string exposition, string name, params (string Label, string Value)[] labels)
    {
        foreach (Match line in SampleLine().Matches(exposition))
        {
            var found = line.Groups["labels"].Value;
            if (line.Groups["name"].Value == name && labels.All(l => found.Contains($"{l.Label}=\"{l.Value}\"", StringComparison.Ordinal)))
            {
                return double.Parse(line.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?<labels>[^}]*)\})? (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex SampleLine();

    private static async Task<string> ScrapeAsync(Uri metricsAddress)
    {
        using var http = new HttpClient { BaseAddress = metricsAddress };
        using var response = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task ScrapingShowsTheCallsByMethodAndCodeWithoutAToken()
    {
        var client = new PhysicalConnectionService.PhysicalConnectionServiceClient(system.Channel);
        for (var i = 0; i < 2; i++)
        {
            await RpcAssert.FailsWith(StatusCode.NotFound, async () => await client.GetPhysicalConnectionAsync(
                new GetPhysicalConnectionRequest { Region = Seed.Region, Id = "dxpc-000000000000" }, system.As("scrape", "customer")));
        }

        using var rest = system.Rest("scrape", "customer");
        Assert.Equal(HttpStatusCode.NotFound, (await rest.GetAsync($"/v1/regions/{Seed.Region}/physicalConnections/dxpc-000000000000")).StatusCode);

        var exposition = await ScrapeAsync(system.MetricsAddress);
        Assert.Contains("# TYPE directconnect_rpc_server_requests_total counter", exposition, StringComparison.Ordinal);
        Assert.Equal(3, Sample(exposition, "directconnect_rpc_server_requests_total", ("rpc_method", "GetPhysicalConnection"), ("rpc_grpc_status_code", "NOT_FOUND")));
        Assert.Equal(3, Sample(exposition, "directconnect_rpc_server_duration_seconds_count", ("rpc_method", "GetPhysicalConnection"), ("rpc_grpc_status_code", "NOT_FOUND")));
        Assert.NotNull(Sample(exposition, "directconnect_rpc_server_duration_seconds_bucket", ("rpc_method", "GetPhysicalConnection"), ("le", "+Inf")));
    }

    [Fact]
    public async Task TheMetricsPortServesOnlyMetricsAndNoOtherPortServesThem()
    {
        using var metricsPort = new HttpClient { BaseAddress = system.MetricsAddress };
        foreach (var path in new[] { "/healthz", "/openapi/v1.json", $"/v1/regions/{Seed.Region}/locations" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await metricsPort.GetAsync(path)).StatusCode);
        }

        // On the REST port, /metrics is nothing: unknown to a caller with a token, and asks anyone else for one.
        using var withToken = system.Rest("scrape", "operator");
        Assert.Equal(HttpStatusCode.NotFound, (await withToken.GetAsync("/metrics")).StatusCode);
        using var anonymous = system.Rest(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
    }
}

/// <summary>By default there is no metrics listener at all, and the REST port does not serve <c>/metrics</c> either.</summary>
public sealed class MetricsOffByDefaultTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    [Fact]
    public async Task WithoutAMetricsPortNothingServesMetrics()
    {
        Assert.Null(system.Services.GetRequiredService<GatewayEndpoints>().MetricsAddress);
        using var withToken = system.Rest("scrape", "operator");
        Assert.Equal(HttpStatusCode.NotFound, (await withToken.GetAsync("/metrics")).StatusCode);
    }
}

/// <summary>
/// A real process as an operator configures it from the outside: JSON console logs
/// (<c>Logging:Console:FormatterName=json</c>), its OpenTelemetry service name from <c>OTEL_SERVICE_NAME</c>,
/// metrics on their own port.
/// </summary>
public sealed partial class OperatorConfigurationTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "dc-ops-" + Guid.NewGuid().ToString("N"));
    private GatewayProcess? _process;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task JsonLogsAndTheServiceNameComeFromTheEnvironment()
    {
        _process = await GatewayProcess.StartAsync(_dataDirectory,
            new Dictionary<string, string> { ["OTEL_SERVICE_NAME"] = "directconnect-ops-test", ["Logging__Console__FormatterName"] = "json" },
            "--DirectConnect:MetricsPort=0");
        var process = _process;
        var metrics = await Seed.EventuallyAsync(() => Task.FromResult(MetricsLine().Match(process.Output)), m => m.Success, "logged the metrics address");

        // Every line the process printed is one JSON log entry.
        var lines = process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            using var entry = JsonDocument.Parse(line);
            Assert.True(entry.RootElement.TryGetProperty("LogLevel", out _), line);
            Assert.True(entry.RootElement.TryGetProperty("Category", out _), line);
        }

        Assert.Contains(lines, l => JsonDocument.Parse(l).RootElement.GetProperty("Message").GetString()!.StartsWith("DirectConnect is up: gRPC http://", StringComparison.Ordinal));

        using var http = new HttpClient { BaseAddress = new Uri(metrics.Groups[1].Value) };
        var exposition = await http.GetStringAsync("/metrics");
        Assert.Equal(1, PrometheusMetricsTests.Sample(exposition, "target_info", ("service_name", "directconnect-ops-test")));
    }

    [GeneratedRegex(@"Prometheus metrics are on (http://[^ ""]+) ")]
    private static partial Regex MetricsLine();
}
