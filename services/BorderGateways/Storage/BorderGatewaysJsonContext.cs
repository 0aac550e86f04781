using System.Text.Json.Serialization;
using DirectConnect.BorderGateways.Domain;

namespace DirectConnect.BorderGateways.Storage;

/// <summary>The JSON shape of this service's state documents.</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, IgnoreReadOnlyProperties = true)]
[JsonSerializable(typeof(BorderGateway))]
[JsonSerializable(typeof(KnownVpcs))]
[JsonSerializable(typeof(Router))]
internal sealed partial class BorderGatewaysJsonContext : JsonSerializerContext;
