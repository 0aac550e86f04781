using Google.Protobuf.Reflection;

namespace DirectConnect.Platform.Tenancy;

/// <summary>
/// Endpoint metadata naming the public method an endpoint serves when it is not a gRPC or transcoded
/// endpoint (the server-sent-events form of the watch), so that admission treats it as that method.
/// </summary>
public sealed record PublicMethodMetadata(MethodDescriptor Method);
