using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using DirectConnect.Contracts.V1;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Coordination.Sqlite;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// A failure nobody planned for (here: a state store that breaks on one key) is INTERNAL / HTTP 500
/// carrying only a trace id, and the log has that trace id next to the real exception — the
/// exception's text never reaches the wire.
/// </summary>
public sealed class UnexpectedFailureTests(UnexpectedFailureTests.Breaking system) : IClassFixture<UnexpectedFailureTests.Breaking>
{
    private const string BrokenId = "dxpc-0000deadbeef";
    private const string Secret = "disk-on-fire-internal-detail";

    /// <summary>The embedded system with a store that fails reading one connection, and the logs captured.</summary>
    public sealed class Breaking : EmbeddedSystem
    {
        public ConcurrentQueue<(string Category, string Message, Exception? Exception)> Logs { get; } = new();

        protected override void Configure(WebApplicationBuilder builder)
        {
            builder.Services.AddSingleton<SqliteStateStore>();
            builder.Services.AddSingleton<IStateStore>(services => new BreakingStore(services.GetRequiredService<SqliteStateStore>()));
            builder.Logging.AddProvider(new LogCapture(Logs));
        }
    }

    private sealed class BreakingStore(IStateStore inner) : IStateStore
    {
        public Task<StateItem?> GetAsync(string key, CancellationToken cancellationToken = default) =>
            key.Contains(BrokenId, StringComparison.Ordinal) ? throw new InvalidDataException(Secret) : inner.GetAsync(key, cancellationToken);

        public Task<IReadOnlyDictionary<string, StateItem>> GetBulkAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default) =>
            inner.GetBulkAsync(keys, cancellationToken);

        public Task<bool> TryExecuteTransactionAsync(IReadOnlyList<StateOperation> operations, IReadOnlyList<OutgoingEvent> events, CancellationToken cancellationToken = default) =>
            inner.TryExecuteTransactionAsync(operations, events, cancellationToken);
    }

    private static string TraceIdIn(string message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message, "trace id ([0-9a-f]{32})");
        Assert.True(match.Success, $"no trace id in '{message}'");
        return match.Groups[1].Value;
    }

    private void AssertLoggedWithTheException(string traceId)
    {
        var logged = system.Logs.Where(l => l.Message.Contains(traceId, StringComparison.Ordinal)).ToArray();
        var entry = Assert.Single(logged);
        Assert.IsType<InvalidDataException>(entry.Exception);
        Assert.Equal(Secret, entry.Exception!.Message);
    }

    [Fact]
    public async Task OverGrpcTheAnswerIsInternalWithATraceIdTheLogCarriesToo()
    {
        var client = new PhysicalConnectionService.PhysicalConnectionServiceClient(system.Channel);
        var status = await RpcAssert.FailsWith(StatusCode.Internal, async () => await client.GetPhysicalConnectionAsync(
            new GetPhysicalConnectionRequest { Region = Seed.Region, Id = BrokenId }, system.As("unlucky", "customer")));
        Assert.DoesNotContain(Secret, status.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidDataException", status.ToString(), StringComparison.Ordinal);
        AssertLoggedWithTheException(TraceIdIn(status.Message));
    }

    [Fact]
    public async Task OverRestTheAnswerIsA500WithTheSameShape()
    {
        using var http = system.Rest("unlucky", "customer");
        using var response = await http.GetAsync($"/v1/regions/{Seed.Region}/physicalConnections/{BrokenId}");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(Secret, body, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        using var status = JsonDocument.Parse(body);
        Assert.Equal((int)StatusCode.Internal, status.RootElement.GetProperty("code").GetInt32());
        AssertLoggedWithTheException(TraceIdIn(status.RootElement.GetProperty("message").GetString()!));
    }
}
