using DirectConnect.PhysicalConnections.Domain;

namespace DirectConnect.UnitTests.PhysicalConnections;

public sealed class PhysicalConnectionStateMachineTests
{
    private static PhysicalConnection In(PhysicalConnectionState state) => PhysicalConnection.Order("dxpc-1", "a", "cn-north-1",
        new PhysicalConnectionSpec("n", "", "loc-a", PortSpeed.Speed1G, 100, "c", ""), "a", DateTimeOffset.UnixEpoch, "e") with { State = state };

    public static TheoryData<PhysicalConnectionState, PhysicalConnectionOperation, bool> Table()
    {
        var allowed = new Dictionary<PhysicalConnectionOperation, PhysicalConnectionState[]>
        {
            [PhysicalConnectionOperation.Approve] = [PhysicalConnectionState.Applying],
            [PhysicalConnectionOperation.Reject] = [PhysicalConnectionState.Applying, PhysicalConnectionState.PendingPayment],
            [PhysicalConnectionOperation.RecordPayment] = [PhysicalConnectionState.PendingPayment],
            [PhysicalConnectionOperation.CompleteConstruction] = [PhysicalConnectionState.UnderConstruction],
            [PhysicalConnectionOperation.Confirm] = [PhysicalConnectionState.AwaitingConfirmation],
            [PhysicalConnectionOperation.Reserve] = [PhysicalConnectionState.Available],
            [PhysicalConnectionOperation.Delete] = Enum.GetValues<PhysicalConnectionState>().Where(s => s != PhysicalConnectionState.Deleted).ToArray(),
        };
        var data = new TheoryData<PhysicalConnectionState, PhysicalConnectionOperation, bool>();
        foreach (var (operation, states) in allowed)
        {
            foreach (var state in Enum.GetValues<PhysicalConnectionState>())
            {
                data.Add(state, operation, states.Contains(state));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void EachOperationIsAllowedExactlyInItsStates(PhysicalConnectionState state, PhysicalConnectionOperation operation, bool allowed) =>
        Assert.Equal(allowed, PhysicalConnectionStateMachine.Allows(In(state), operation));
}
