using System.Reflection;
using Google.Protobuf.Reflection;

namespace DirectConnect.Platform.Grpc;

/// <summary>Protobuf enum values as the wire spells them.</summary>
public static class ProtobufEnums
{
    /// <summary>The proto name of a generated enum value, e.g. <c>STATE_AVAILABLE</c>.</summary>
    public static string ToWireName(this Enum value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var name = value.ToString();
        return value.GetType().GetField(name)?.GetCustomAttribute<OriginalNameAttribute>()?.Name ?? name;
    }
}
