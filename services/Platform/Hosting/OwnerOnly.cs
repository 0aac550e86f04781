namespace DirectConnect.Platform.Hosting;

/// <summary>
/// Files and directories only their owner may read: the coordination database holds every
/// account's state and the data directory the token-signing key. Created with the mode from the
/// start (not created, then narrowed), so no other user can open them in between. On Windows the
/// profile's ACLs already keep them private, and nothing is done.
/// </summary>
public static class OwnerOnly
{
    /// <summary>rwx for the owner, nothing for the group and others (0700).</summary>
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>rw for the owner, nothing for the group and others (0600).</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Every permission of the group and others.</summary>
    public const UnixFileMode GroupAndOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
                                                UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates <paramref name="path"/> (and any missing parent) 0700 when it does not exist; an existing one is left as it is.</summary>
    public static void EnsureDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, DirectoryMode);
        }
    }

    /// <summary>
    /// Creates <paramref name="path"/> empty and 0600 when it does not exist, else narrows it to 0600
    /// (<see cref="TryRestrict"/>). A database file created this way keeps SQLite's -wal and -shm
    /// files private too: SQLite creates them with the database file's mode.
    /// </summary>
    public static void EnsureFile(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            using var created = new FileStream(path, new FileStreamOptions
            {
                Mode = System.IO.FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = FileMode,
            });
        }
        catch (IOException) when (File.Exists(path))
        {
            TryRestrict(path, FileMode); // it existed (or another process created it first)
        }
    }

    /// <summary>
    /// Sets an existing <paramref name="path"/> (file or directory) that the group or others may use to
    /// <paramref name="ownerOnlyMode"/>; false when that is not allowed (another user owns it) or it does not exist.
    /// </summary>
    public static bool TryRestrict(string path, UnixFileMode ownerOnlyMode)
    {
        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        try
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & GroupAndOthers) != 0)
            {
                File.SetUnixFileMode(path, ownerOnlyMode);
            }

            return true;
        }
        catch (Exception exception) when (exception is UnauthorizedAccessException or IOException)
        {
            return false;
        }
    }
}
