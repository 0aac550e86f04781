using DirectConnect.Platform.Errors;

namespace DirectConnect.PhysicalConnections.Domain;

/// <summary>One port of an access device and the connection holding it, if any.</summary>
public sealed record DevicePort(string Name, PortSpeed Speed, string? AllocatedTo = null)
{
    /// <summary>True when no connection holds the port.</summary>
    public bool IsFree => AllocatedTo is null;
}

/// <summary>Whether an access device is in service.</summary>
public enum AccessDeviceState
{
    /// <summary>In service: its free ports can be allocated.</summary>
    Active = 1,
    /// <summary>Removed from the inventory.</summary>
    Deleted = 2,
}

/// <summary>
/// A router or switch at a location (<c>dxdev-…</c>) whose ports are allocated to physical
/// connections. Ports are allocated lowest first, in the order the operator listed them.
/// </summary>
public sealed record AccessDevice
{
    /// <summary>The id prefix.</summary>
    public const string IdPrefix = "dxdev-";

    /// <summary>
    /// The most ports one device may have: more than a fully populated chassis router offers to customers,
    /// and what bounds the device document and the per-port checks of one request.
    /// </summary>
    public const int MaxPorts = 1024;

    /// <summary>Server-generated id.</summary>
    public required string Id { get; init; }

    /// <summary>The region of its location.</summary>
    public required string Region { get; init; }

    /// <summary>The location it stands at.</summary>
    public required string LocationId { get; init; }

    /// <summary>Operator's name for the device.</summary>
    public required string Name { get; init; }

    /// <summary>Hardware vendor.</summary>
    public string Vendor { get; init; } = "";

    /// <summary>Hardware model.</summary>
    public string Model { get; init; } = "";

    /// <summary>The ports, in allocation order.</summary>
    public required IReadOnlyList<DevicePort> Ports { get; init; }

    /// <summary>In service or deleted.</summary>
    public AccessDeviceState State { get; init; } = AccessDeviceState.Active;

    /// <summary>When it was added.</summary>
    public required DateTimeOffset CreateTime { get; init; }

    /// <summary>When it last changed.</summary>
    public required DateTimeOffset UpdateTime { get; init; }

    /// <summary>Resource version.</summary>
    public required string ETag { get; init; }

    /// <summary>True when deleted.</summary>
    public bool IsDeleted => State == AccessDeviceState.Deleted;

    /// <summary>The speeds this device has ports of.</summary>
    public IEnumerable<PortSpeed> Speeds => Ports.Select(p => p.Speed).Distinct();

    /// <summary>True when a port of <paramref name="speed"/> is free.</summary>
    public bool HasFreePort(PortSpeed speed) => !IsDeleted && Ports.Any(p => p.Speed == speed && p.IsFree);

    /// <summary>The lowest free port of <paramref name="speed"/>, if any.</summary>
    public DevicePort? LowestFreePort(PortSpeed speed) => IsDeleted ? null : Ports.FirstOrDefault(p => p.Speed == speed && p.IsFree);

    /// <summary>The connections holding ports.</summary>
    public IReadOnlyList<string> Holders => Ports.Where(p => !p.IsFree).Select(p => p.AllocatedTo!).ToArray();

    /// <summary>The device with <paramref name="portName"/> held by <paramref name="connectionId"/>.</summary>
    public AccessDevice Allocate(string portName, string connectionId, DateTimeOffset now, string etag) => this with
    {
        Ports = Ports.Select(p => p.Name == portName
            ? (p.IsFree ? p with { AllocatedTo = connectionId } : throw new InvalidOperationException($"Port {portName} of {Id} is held by {p.AllocatedTo}."))
            : p).ToArray(),
        UpdateTime = now,
        ETag = etag,
    };

    /// <summary>The device with whatever <paramref name="connectionId"/> held set free.</summary>
    public AccessDevice Release(string connectionId, DateTimeOffset now, string etag) => this with
    {
        Ports = Ports.Select(p => p.AllocatedTo == connectionId ? p with { AllocatedTo = null } : p).ToArray(),
        UpdateTime = now,
        ETag = etag,
    };

    /// <summary>Adds every violation of a new device's fields to <paramref name="validation"/>.</summary>
    public static void Validate(RequestValidation validation, string prefix, string name, string vendor, string model,
        IReadOnlyList<(string Name, PortSpeed? Speed)> ports)
    {
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(ports);
        validation.RequireText(name, prefix + "name", 64);
        validation.OptionalText(vendor, prefix + "vendor", 64);
        validation.OptionalText(model, prefix + "model", 64);
        if (!validation.CheckCount(ports.Count, prefix + "ports", 1, MaxPorts, "ports"))
        {
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ports.Count; i++)
        {
            var (portName, speed) = ports[i];
            if (validation.RequireText(portName, $"{prefix}ports[{i}].name", 64))
            {
                validation.Check(seen.Add(portName), $"{prefix}ports[{i}].name", $"'{portName}' is listed twice");
            }

            validation.Check(speed is not null, $"{prefix}ports[{i}].speed", "is required: PORT_SPEED_1G, PORT_SPEED_10G or PORT_SPEED_100G");
        }
    }
}
