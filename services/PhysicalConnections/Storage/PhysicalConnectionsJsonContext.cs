using System.Text.Json.Serialization;
using DirectConnect.Platform.Coordination;
using DirectConnect.PhysicalConnections.Domain;

namespace DirectConnect.PhysicalConnections.Storage;

/// <summary>The JSON shape of this service's state documents (enums by name, so stored data reads plainly).</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PhysicalConnection))]
[JsonSerializable(typeof(Location))]
[JsonSerializable(typeof(AccessDevice))]
[JsonSerializable(typeof(PortPool))]
[JsonSerializable(typeof(PoolSegment))]
[JsonSerializable(typeof(AccountUsage))]
[JsonSerializable(typeof(HostedConnection))]
[JsonSerializable(typeof(Partner))]
internal sealed partial class PhysicalConnectionsJsonContext : JsonSerializerContext;
