namespace DirectConnect.PhysicalConnections.Domain;

/// <summary>Where a physical connection is in its life (DOMAIN.md "PhysicalConnection").</summary>
public enum PhysicalConnectionState
{
    /// <summary>Ordered by the customer; awaiting operator review.</summary>
    Applying = 1,
    /// <summary>Approved; awaiting payment.</summary>
    PendingPayment = 2,
    /// <summary>Paid; a port is allocated (or awaited) and the line is being built.</summary>
    UnderConstruction = 3,
    /// <summary>Built; awaiting the customer's confirmation.</summary>
    AwaitingConfirmation = 4,
    /// <summary>In service.</summary>
    Available = 5,
    /// <summary>Refused by the operator; the reason is kept.</summary>
    Rejected = 6,
    /// <summary>Deleted (a tombstone, hidden from lists unless asked for).</summary>
    Deleted = 7,
}
