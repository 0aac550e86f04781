using System.Text.Json.Serialization;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Idempotency;

namespace DirectConnect.Platform;

/// <summary>Source-generated JSON for the platform's own state documents.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RequestLedgerEntry))]
[JsonSerializable(typeof(IdIndex))]
[JsonSerializable(typeof(ListIndexHead))]
[JsonSerializable(typeof(ListIndexSegment))]
[JsonSerializable(typeof(Resources.ResourceCount))]
[JsonSerializable(typeof(Coordination.Dapr.OutboxEntry))]
internal sealed partial class PlatformJsonContext : JsonSerializerContext;
