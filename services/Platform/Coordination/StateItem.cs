namespace DirectConnect.Platform.Coordination;

/// <summary>A value read from the state store together with the ETag that guards its next write.</summary>
/// <param name="Key">The key, unique within the store.</param>
/// <param name="Value">The stored bytes (protobuf-encoded by every service in this project).</param>
/// <param name="ETag">An opaque version; any write changes it.</param>
public sealed record StateItem(string Key, ReadOnlyMemory<byte> Value, string ETag);
