using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Resources;
using DirectConnect.PhysicalConnections.Domain;
using DirectConnect.PhysicalConnections.Storage;

namespace DirectConnect.PhysicalConnections.Application;

/// <summary>
/// One pool as one planning step sees it: the head (<see cref="PortPool"/>) and those of its segments the step had to
/// read, each with the store ETag it was read at. Changes are made here in memory and become ETag-guarded writes
/// (<see cref="Operations"/>): every change of the chain's shape writes the node that points at the changed part (the
/// head or the previous segment), and every change of a segment's devices writes that segment, so two steps that
/// planned from the same reads cannot both commit conflicting shapes. Steps only read as far along the chain as they
/// need: taking from the front reads the head (and the next segment when the head runs out), adding a device
/// goes to the last segment, and only a device coming back in the middle or leaving walks the chain.
/// </summary>
internal sealed class PortPoolChain
{
    private readonly InventoryStore _inventory;
    private readonly Node _head;
    private readonly Dictionary<string, Node> _segments = new(StringComparer.Ordinal);
    private IReadOnlyList<string> _waiters;
    private string? _last;
    private bool _headChanged;

    private PortPoolChain(InventoryStore inventory, PortPool head, ETagCondition headUnchanged)
    {
        _inventory = inventory;
        LocationId = head.LocationId;
        Speed = head.Speed;
        _head = new Node(null, [.. head.FreeDevices], head.Next, headUnchanged);
        _waiters = head.Waiters;
        _last = head.Last;
    }

    public string LocationId { get; }

    public PortSpeed Speed { get; }

    /// <summary>The head as it stands now (the lowest devices with room and the waiters).</summary>
    public PortPool Head => new(LocationId, Speed, _head.Devices.ToArray(), _waiters, _head.Next, _last);

    /// <summary>Reads the head of the pool of <paramref name="locationId"/> and <paramref name="speed"/>.</summary>
    public static async Task<PortPoolChain> ReadAsync(InventoryStore inventory, string locationId, PortSpeed speed, CancellationToken cancellationToken)
    {
        var (head, unchanged) = await inventory.GetPoolAsync(locationId, speed, cancellationToken).ConfigureAwait(false);
        return new PortPoolChain(inventory, head, unchanged);
    }

    /// <summary>Puts <paramref name="connectionId"/> at the end of the queue.</summary>
    public void AddWaiter(string connectionId) => SetWaiters(Head.WithWaiter(connectionId).Waiters);

    /// <summary>Takes <paramref name="connectionId"/> out of the queue.</summary>
    public void RemoveWaiter(string connectionId) => SetWaiters(Head.WithoutWaiter(connectionId).Waiters);

    /// <summary>Lists <paramref name="device"/> among the devices with room, in order (nothing when it is listed).</summary>
    public async Task AddRoomAsync(PoolDevice device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        var target = await FindAsync(device, newestFirst: true, cancellationToken).ConfigureAwait(false);
        if (target.Node.Devices.Any(d => d.DeviceId == device.DeviceId))
        {
            return;
        }

        var at = target.Node.Devices.FindIndex(d => PoolDevice.Compare(d, device) > 0);
        target.Node.Devices.Insert(at < 0 ? target.Node.Devices.Count : at, device);
        Touch(target.Node);
    }

    /// <summary>Takes <paramref name="device"/> off the devices with room (nothing when it is not listed).</summary>
    public async Task RemoveRoomAsync(PoolDevice device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        var (node, previous) = await FindAsync(device, newestFirst: false, cancellationToken).ConfigureAwait(false);
        if (node.Devices.RemoveAll(d => d.DeviceId == device.DeviceId) == 0)
        {
            return;
        }

        Touch(node);
        if (node == _head)
        {
            // The head is empty only when nothing follows: move the next segment up.
            while (_head.Devices.Count == 0 && _head.Next is { } next)
            {
                var following = await SegmentAsync(next, cancellationToken).ConfigureAwait(false);
                _head.Devices.AddRange(following.Devices);
                Drop(following, previous: _head);
            }
        }
        else if (node.Devices.Count == 0)
        {
            Drop(node, previous!);
        }
    }

    /// <summary>
    /// The ETag-guarded writes of what changed, with the head and any segment over <see cref="PortPool.SegmentSize"/> cut
    /// first; so a head written before segments existed (every device in one document) is cut on its first write.
    /// </summary>
    public IReadOnlyList<StateOperation> Operations()
    {
        foreach (var node in new[] { _head }.Concat(_segments.Values.Where(n => n.State is NodeState.Changed or NodeState.Created)).ToArray())
        {
            Cut(node);
        }

        var operations = new List<StateOperation>();
        if (_headChanged)
        {
            operations.Add(InventoryStore.PutPool(Head, _head.Unchanged));
        }

        foreach (var node in _segments.Values)
        {
            var segment = new PoolSegment(LocationId, Speed, node.Id!, node.Devices.ToArray(), node.Next);
            switch (node.State)
            {
                case NodeState.Changed:
                    operations.Add(InventoryStore.PutPoolSegment(segment, node.Unchanged));
                    break;
                case NodeState.Created:
                    operations.Add(InventoryStore.PutPoolSegment(segment, ETagCondition.MustNotExist));
                    break;
                case NodeState.Deleted:
                    operations.Add(InventoryStore.DeletePoolSegment(segment, node.Unchanged));
                    break;
                case NodeState.Read:
                    break;
            }
        }

        return operations;
    }

    /// <summary>
    /// The node whose range holds <paramref name="device"/>: the last one whose first device is not after it (the head
    /// for anything before the first segment), and the node before it. With <paramref name="newestFirst"/> the last
    /// segment is tried first (devices added to the location are the newest), and the node before it is not known.
    /// </summary>
    private async Task<(Node Node, Node? Previous)> FindAsync(PoolDevice device, bool newestFirst, CancellationToken cancellationToken)
    {
        if (_head.Next is null || _head.Devices.Any(d => d.DeviceId == device.DeviceId))
        {
            return (_head, null);
        }

        if (newestFirst && _last is { } last)
        {
            var tail = await SegmentAsync(last, cancellationToken).ConfigureAwait(false);
            if (tail.Next is not null)
            {
                throw new StaleReadException($"Pool {LocationId}/{Speed} names {last} as its last segment, but another follows it.");
            }

            if (PoolDevice.Compare(tail.Devices[0], device) <= 0)
            {
                return (tail, null);
            }
        }

        Node? previous = null;
        var node = _head;
        while (node.Next is { } next)
        {
            var following = await SegmentAsync(next, cancellationToken).ConfigureAwait(false);
            if (PoolDevice.Compare(following.Devices[0], device) > 0)
            {
                break;
            }

            previous = node;
            node = following;
        }

        return (node, previous);
    }

    private async Task<Node> SegmentAsync(string id, CancellationToken cancellationToken)
    {
        if (_segments.TryGetValue(id, out var known))
        {
            return known;
        }

        // A segment a fresh read points at is gone only when another writer changed the chain since: plan again.
        var read = await _inventory.GetPoolSegmentAsync(LocationId, Speed, id, cancellationToken).ConfigureAwait(false);
        if (read is null || read.Value.Devices.Count == 0)
        {
            throw new StaleReadException($"Pool {LocationId}/{Speed} points at segment {id}, which is gone or empty.");
        }

        var node = new Node(id, [.. read.Value.Devices], read.Value.Next, read.Unchanged) { State = NodeState.Read };
        _segments.Add(id, node);
        return node;
    }

    /// <summary>Unlinks <paramref name="node"/> (emptied, or moved into the head) from after <paramref name="previous"/>.</summary>
    private void Drop(Node node, Node previous)
    {
        previous.Next = node.Next;
        Touch(previous);
        if (_last == node.Id)
        {
            _last = previous == _head ? null : previous.Id;
            _headChanged = true;
        }

        node.State = NodeState.Deleted;
    }

    /// <summary>Cuts a node over <see cref="PortPool.SegmentSize"/> into new segments that follow it.</summary>
    private void Cut(Node node)
    {
        if (node.Devices.Count <= PortPool.SegmentSize)
        {
            return;
        }

        var wasLast = node.Next is null;
        var rest = node.Devices.Skip(PortPool.SegmentSize).Chunk(PortPool.SegmentSize).ToArray();
        node.Devices.RemoveRange(PortPool.SegmentSize, node.Devices.Count - PortPool.SegmentSize);
        var ids = rest.Select(_ => ResourceIds.NewETag()).ToArray();
        for (var i = rest.Length - 1; i >= 0; i--)
        {
            _segments.Add(ids[i], new Node(ids[i], [.. rest[i]], i + 1 < rest.Length ? ids[i + 1] : node.Next, ETagCondition.MustNotExist)
            {
                State = NodeState.Created,
            });
        }

        node.Next = ids[0];
        Touch(node);
        if (wasLast)
        {
            _last = ids[^1];
            _headChanged = true;
        }
    }

    private void SetWaiters(IReadOnlyList<string> waiters)
    {
        _waiters = waiters;
        _headChanged = true;
    }

    private void Touch(Node node)
    {
        if (node == _head)
        {
            _headChanged = true;
        }
        else if (node.State == NodeState.Read)
        {
            node.State = NodeState.Changed;
        }
    }

    private enum NodeState
    {
        Read,
        Changed,
        Created,
        Deleted,
    }

    /// <summary>The head's devices (no id) or a segment, as read and changed in memory.</summary>
    private sealed class Node(string? id, List<PoolDevice> devices, string? next, ETagCondition unchanged)
    {
        public string? Id { get; } = id;

        public List<PoolDevice> Devices { get; } = devices;

        public string? Next { get; set; } = next;

        public ETagCondition Unchanged { get; } = unchanged;

        public NodeState State { get; set; }
    }
}
