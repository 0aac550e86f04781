using System.Text.Json.Serialization;
using DirectConnect.Platform.Idempotency;

namespace DirectConnect.Platform;

/// <summary>Source-generated JSON for the platform's own state documents.</summary>
[JsonSerializable(typeof(RequestLedgerEntry))]
internal sealed partial class PlatformJsonContext : JsonSerializerContext;
