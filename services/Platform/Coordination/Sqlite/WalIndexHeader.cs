using System.IO.MemoryMappedFiles;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace DirectConnect.Platform.Coordination.Sqlite;

/// <summary>
/// Which commit a WAL-mode database is at, read from its wal-index header (the first bytes of the <c>-shm</c> file,
/// https://www.sqlite.org/walformat.html) without a read transaction, so without the file locks one takes. Every
/// commit, by any connection of any process, rewrites the header: the frame count, the checksums of the last frame
/// and, when the log restarts, the salts. Two reads that give the same header saw no commit in between.
/// </summary>
/// <remarks>
/// <para>
/// SQLite writes the header twice, the second copy first; a reader takes the header only when both copies agree, and
/// so does <see cref="Read"/>, which otherwise gives null (a commit is being written, or a crashed writer left it torn:
/// SQLite's next reader recovers it). Null also when the header is not the format this knows (version 3007000, the only
/// one since WAL appeared in SQLite 3.7.0) or not initialised: the caller then reads from the database.
/// </para>
/// <para>
/// The header is read through a mapping of the <c>-shm</c> file while an anchor connection keeps the file in use: SQLite
/// truncates or deletes it only when a connection opens or closes it with no other connection in any process using it.
/// The anchor holds no transaction, so it keeps no snapshot and no checkpoint waits for it.
/// </para>
/// </remarks>
internal sealed class WalIndexHeader : IDisposable
{
    private const uint FormatVersion = 3007000;
    private const int CopyBytes = 48;

    private readonly SqliteConnection _anchor;
    private readonly FileStream _file;
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;

    private WalIndexHeader(SqliteConnection anchor, FileStream file, MemoryMappedFile map, MemoryMappedViewAccessor view)
    {
        _anchor = anchor;
        _file = file;
        _map = map;
        _view = view;
    }

    /// <summary>The header of <paramref name="database"/>'s wal-index, or null when the database is not in WAL mode or its header cannot be read.</summary>
    public static WalIndexHeader? TryOpen(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        SqliteConnection? anchor = null;
        FileStream? file = null;
        MemoryMappedFile? map = null;
        try
        {
            anchor = database.Open();
            // A read maps the -shm file for this connection (and initialises it, if nobody had).
            using (var mode = anchor.CreateCommand())
            {
                mode.CommandText = "PRAGMA journal_mode";
                if (!string.Equals(mode.ExecuteScalar() as string, "wal", StringComparison.OrdinalIgnoreCase))
                {
                    anchor.Dispose();
                    return null;
                }
            }

            if (raw.sqlite3_exec(anchor.Handle!, "SELECT count(*) FROM sqlite_schema") != raw.SQLITE_OK)
            {
                anchor.Dispose();
                return null;
            }

            file = new FileStream(database.FilePath + "-shm", FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (file.Length < 2 * CopyBytes)
            {
                file.Dispose();
                anchor.Dispose();
                return null;
            }

            map = MemoryMappedFile.CreateFromFile(file, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
            var view = map.CreateViewAccessor(0, 2 * CopyBytes, MemoryMappedFileAccess.Read);
            return new WalIndexHeader(anchor, file, map, view);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SqliteException or InvalidOperationException)
        {
            // Reads then go to the database, as they would without the header.
            map?.Dispose();
            file?.Dispose();
            anchor?.Dispose();
            return null;
        }
    }

    /// <summary>The header as it is now, or null when its two copies differ or it is not one this can compare.</summary>
    public WalVersion? Read()
    {
        var first = ReadCopy(0);
        // As SQLite's readers: the first copy, a barrier, then the second (written first by the writer).
        Interlocked.MemoryBarrier();
        var second = ReadCopy(CopyBytes);
        if (first != second || (uint)first.A != FormatVersion || (byte)(first.B >> 32) != 1)
        {
            return null;
        }

        return first;
    }

    /// <summary>Unmaps the header and closes the anchor connection.</summary>
    public void Dispose()
    {
        _view.Dispose();
        _map.Dispose();
        _file.Dispose();
        _anchor.Dispose();
    }

    private WalVersion ReadCopy(long at) => new(
        _view.ReadUInt64(at), _view.ReadUInt64(at + 8), _view.ReadUInt64(at + 16),
        _view.ReadUInt64(at + 24), _view.ReadUInt64(at + 32), _view.ReadUInt64(at + 40));
}

/// <summary>
/// One copy of a wal-index header, as six words: the format version, the change counter and initialised flag, the frame
/// count, the last frame's checksum, the salts and the header's checksum.
/// </summary>
internal readonly record struct WalVersion(ulong A, ulong B, ulong C, ulong D, ulong E, ulong F);
