using DirectConnect.Platform.Hosting;

namespace DirectConnect.Gateway.Hosting;

/// <summary>
/// Keeps the data directory private to the user running the gateway: it holds every account's
/// state and the token-signing key. A missing one is created 0700; an existing one the group or
/// others may use is narrowed to 0700 when it is ours — empty, or holding only what the gateway
/// puts there. A directory that also holds other files is someone's shared folder and is left as
/// it is, with a warning.
/// </summary>
public static class DataDirectoryAccess
{
    // What the gateway writes into its data directory (GatewayOptions.DatabasePath, SigningKeyStore).
    private static readonly string[] OwnEntries = ["directconnect.db", "directconnect.db-wal", "directconnect.db-shm", "directconnect.db-journal", "keys"];

    /// <summary>Creates or narrows <paramref name="path"/>; returns a warning to log when it stays open to others, else null.</summary>
    public static string? Prepare(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return null;
        }

        if (!Directory.Exists(path))
        {
            OwnerOnly.EnsureDirectory(path);
            return null;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & OwnerOnly.GroupAndOthers) == 0)
        {
            return null;
        }

        var foreign = Directory.EnumerateFileSystemEntries(path).Select(Path.GetFileName).FirstOrDefault(name => !OwnEntries.Contains(name, StringComparer.Ordinal));
        if (foreign is not null)
        {
            return $"The data directory {path} is open to other users (mode {Octal(mode)}) and holds '{foreign}', which is not DirectConnect's; " +
                   "it was left as it is. Give DirectConnect a directory of its own (--data-dir).";
        }

        return OwnerOnly.TryRestrict(path, OwnerOnly.DirectoryMode)
            ? null
            : $"The data directory {path} is open to other users (mode {Octal(mode)}) and could not be narrowed to 0700 (is it another user's?).";
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
