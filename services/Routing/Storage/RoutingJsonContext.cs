using System.Text.Json.Serialization;
using DirectConnect.Platform.Coordination;
using DirectConnect.Routing.Domain;

namespace DirectConnect.Routing.Storage;

/// <summary>The JSON shape of this service's state documents.</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, IgnoreReadOnlyProperties = true)]
[JsonSerializable(typeof(Vpc))]
[JsonSerializable(typeof(RouteTable))]
[JsonSerializable(typeof(NextHopUsage))]
internal sealed partial class RoutingJsonContext : JsonSerializerContext;
