using System.Collections.Concurrent;
using DirectConnect.Routing.Domain.Routing;
using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.Routing.Application;

/// <summary>
/// Built forwarding tables, kept while the documents they were built from are unchanged: a
/// trace then costs its lookups (constant in the number of routes), not a rebuild of every
/// table it crosses. The version key is the store ETag of the route table (and, for a VPC, the
/// VPC's version, which fixes its local routes), so a write is seen by the next trace.
/// </summary>
public sealed class ForwardingTableCache
{
    private readonly ConcurrentDictionary<string, (string Version, ForwardingTable<V1.Route> Table)> _tables = new(StringComparer.Ordinal);

    /// <summary>The table of <paramref name="ownerId"/> at <paramref name="version"/>, built by <paramref name="build"/> when not cached.</summary>
    public ForwardingTable<V1.Route> Get(string ownerId, string version, Func<ForwardingTable<V1.Route>> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        if (_tables.TryGetValue(ownerId, out var cached) && cached.Version == version)
        {
            return cached.Table;
        }

        var table = build();
        _tables[ownerId] = (version, table);
        return table;
    }
}
