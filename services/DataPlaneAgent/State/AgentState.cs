using System.Text.Json;
using DirectConnect.Platform.Hosting;
using DirectConnect.DataPlaneAgent.Rendering;

namespace DirectConnect.DataPlaneAgent.State;

/// <summary>What the agent applied to one virtual interface: the values, their content hash and the position they came with.</summary>
internal sealed record AppliedInterface(ValidPeering Peering, string Hash, long Position, bool CreatedSubInterface);

/// <summary>
/// An interface the agent could not apply: why, and the values to try again when they were valid (a missing
/// sub-interface may appear later), or null when the agent refused them.
/// </summary>
internal sealed record FailedInterface(ValidPeering? Peering, long Position, string Error);

/// <summary>
/// The agent's memory across restarts: the position of the last desired-state message it applied, the router
/// it applied it to, and what it applied per interface. Written whole to a temporary file and renamed over
/// the old one, so a crash leaves the old state or the new, never half of one. Holds no key.
/// </summary>
internal sealed class AgentState
{
    /// <summary>The position of the last message applied (0: none).</summary>
    public long Position { get; set; }

    /// <summary>The router the interfaces were applied to.</summary>
    public ValidRouter? Router { get; set; }

    /// <summary>The interfaces applied, by id.</summary>
    public Dictionary<string, AppliedInterface> Interfaces { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The interfaces the agent could not apply, by id.</summary>
    public Dictionary<string, FailedInterface> Failed { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Every prefix the router announces now.</summary>
    public IReadOnlySet<string> Networks(string? except = null) =>
        Interfaces.Values.Where(i => i.Peering.VirtualInterfaceId != except).SelectMany(i => i.Peering.AnnouncedPrefixes).ToHashSet(StringComparer.Ordinal);

    private static string FileOf(string directory) => Path.Combine(directory, "state.json");

    /// <summary>Reads the state in <paramref name="directory"/>, or an empty one on the first start.</summary>
    public static AgentState Load(string directory)
    {
        var file = FileOf(directory);
        return File.Exists(file) ? JsonSerializer.Deserialize<AgentState>(File.ReadAllBytes(file)) ?? new AgentState() : new AgentState();
    }

    /// <summary>Writes the state atomically (temporary file, flushed, renamed over the old one).</summary>
    public void Save(string directory)
    {
        OwnerOnly.EnsureDirectory(directory);
        var file = FileOf(directory);
        var temporary = file + ".tmp";
        OwnerOnly.EnsureFile(temporary);
        using (var stream = new FileStream(temporary, FileMode.Truncate, FileAccess.Write))
        {
            JsonSerializer.Serialize(stream, this);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, file, overwrite: true);
    }
}
