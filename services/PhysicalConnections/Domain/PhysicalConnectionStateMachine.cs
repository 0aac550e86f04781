namespace DirectConnect.PhysicalConnections.Domain;

/// <summary>What can be done to a physical connection.</summary>
public enum PhysicalConnectionOperation
{
    /// <summary>Operator accepts the application.</summary>
    Approve,
    /// <summary>Operator refuses the application.</summary>
    Reject,
    /// <summary>Operator records the customer's payment (and a port is allocated).</summary>
    RecordPayment,
    /// <summary>Operator reports the line built.</summary>
    CompleteConstruction,
    /// <summary>Customer confirms the line works.</summary>
    Confirm,
    /// <summary>A virtual interface reserves the connection.</summary>
    Reserve,
    /// <summary>Name or description change.</summary>
    Update,
    /// <summary>Deletion.</summary>
    Delete,
}

/// <summary>
/// The lifecycle of DOMAIN.md: <c>APPLYING → PENDING_PAYMENT → UNDER_CONSTRUCTION →
/// AWAITING_CONFIRMATION → AVAILABLE</c>, <c>REJECTED</c> from review, <c>DELETED</c> from anywhere.
/// </summary>
public static class PhysicalConnectionStateMachine
{
    /// <summary>The state an operation leads to, or null when it does not change the state.</summary>
    public static PhysicalConnectionState? Target(PhysicalConnectionOperation operation) => operation switch
    {
        PhysicalConnectionOperation.Approve => PhysicalConnectionState.PendingPayment,
        PhysicalConnectionOperation.Reject => PhysicalConnectionState.Rejected,
        PhysicalConnectionOperation.RecordPayment => PhysicalConnectionState.UnderConstruction,
        PhysicalConnectionOperation.CompleteConstruction => PhysicalConnectionState.AwaitingConfirmation,
        PhysicalConnectionOperation.Confirm => PhysicalConnectionState.Available,
        PhysicalConnectionOperation.Delete => PhysicalConnectionState.Deleted,
        _ => null,
    };

    /// <summary>True when <paramref name="operation"/> is allowed on <paramref name="connection"/> in its current state.</summary>
    public static bool Allows(PhysicalConnection connection, PhysicalConnectionOperation operation)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return operation switch
        {
            PhysicalConnectionOperation.Approve => connection.State == PhysicalConnectionState.Applying,
            PhysicalConnectionOperation.Reject => connection.State is PhysicalConnectionState.Applying or PhysicalConnectionState.PendingPayment,
            PhysicalConnectionOperation.RecordPayment => connection.State == PhysicalConnectionState.PendingPayment,
            PhysicalConnectionOperation.CompleteConstruction => connection.State == PhysicalConnectionState.UnderConstruction,
            PhysicalConnectionOperation.Confirm => connection.State == PhysicalConnectionState.AwaitingConfirmation,
            PhysicalConnectionOperation.Reserve => connection.State == PhysicalConnectionState.Available,
            PhysicalConnectionOperation.Update or PhysicalConnectionOperation.Delete => !connection.IsDeleted,
            _ => false,
        };
    }
}
