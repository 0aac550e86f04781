namespace DirectConnect.PhysicalConnections.Domain;

/// <summary>The speed of an access-device port, and so of the line built on it.</summary>
public enum PortSpeed
{
    /// <summary>1 Gbit/s.</summary>
    Speed1G = 1,
    /// <summary>10 Gbit/s.</summary>
    Speed10G = 2,
    /// <summary>100 Gbit/s.</summary>
    Speed100G = 3,
}

/// <summary>Arithmetic on <see cref="PortSpeed"/>.</summary>
public static class PortSpeedExtensions
{
    /// <summary>The line rate in Mbit/s: the most bandwidth a connection on this port may have.</summary>
    public static int Mbps(this PortSpeed speed) => speed switch
    {
        PortSpeed.Speed1G => 1_000,
        PortSpeed.Speed10G => 10_000,
        PortSpeed.Speed100G => 100_000,
        _ => throw new ArgumentOutOfRangeException(nameof(speed), speed, "Unknown port speed."),
    };
}
