using System.Text.Json.Serialization;
using DirectConnect.VirtualInterfaces.Domain;

namespace DirectConnect.VirtualInterfaces.Storage;

/// <summary>The JSON shape of this service's state documents.</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, IgnoreReadOnlyProperties = true)]
[JsonSerializable(typeof(VirtualInterface))]
[JsonSerializable(typeof(CreationIntent))]
[JsonSerializable(typeof(AbandonedCreation))]
[JsonSerializable(typeof(VirtualInterfaceUsage))]
[JsonSerializable(typeof(RouterFeed))]
internal sealed partial class VirtualInterfacesJsonContext : JsonSerializerContext;
