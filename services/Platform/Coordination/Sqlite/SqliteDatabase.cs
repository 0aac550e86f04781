using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using DirectConnect.Platform.Hosting;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace DirectConnect.Platform.Coordination.Sqlite;

/// <summary>
/// The coordination database: one SQLite file in WAL mode that several processes on one machine
/// may share. SQLite serialises writers, so a write transaction (BEGIN IMMEDIATE) sees the latest
/// committed state and its ETag checks cannot race with another process.
/// </summary>
/// <remarks>
/// Every write transaction of a file in this process goes through one gate (<see cref="BeginWriteAsync"/>),
/// so writers of this process queue for each other instead of meeting SQLITE_BUSY — on which
/// Microsoft.Data.Sqlite would sleep a fixed 150 ms. A writer of another process may still hold the
/// lock: then SQLite's own busy handler (<c>busy_timeout</c>) waits in steps of a few milliseconds.
/// </remarks>
public sealed class SqliteDatabase : IDisposable
{
    /// <summary>
    /// The log size (in pages) past which a commit checkpoints by itself: ten times SQLite's default, since
    /// <see cref="SqliteCheckpointer"/> checkpoints in the background and keeps the log far below it.
    /// </summary>
    public const int AutoCheckpointPages = 10_000;

    /// <summary>How long a writer waits for another process's write transaction before failing.</summary>
    private const int BusyTimeoutMilliseconds = 30_000;

    // One gate per file and process: two SqliteDatabase instances on one file (two hosts in one
    // process) must queue behind each other too.
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> WriteGates = new(StringComparer.Ordinal);

    // The native handles that already have this project's settings: a pooled connection keeps its
    // handle, and its PRAGMAs with it, so they run once per handle rather than on every open.
    private static readonly ConditionalWeakTable<sqlite3, object> Prepared = [];
    private static readonly object Marker = new();

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeGate;
    private long _lockedByOtherConnection;
    private SqliteWriter? _writer;
    private long _writeConnectionsOpened;
    private bool _disposed;

    /// <summary>Opens (creating when needed) the database at <paramref name="path"/>.</summary>
    public SqliteDatabase(string path)
    {
        var full = Path.GetFullPath(path);
        OwnerOnly.EnsureDirectory(Path.GetDirectoryName(full)!);
        // Created 0600 before SQLite opens it (SQLite would create it 0644), and SQLite gives the
        // -wal and -shm files the database file's mode; existing ones are narrowed to it.
        OwnerOnly.EnsureFile(full);
        foreach (var companion in (string[])[full + "-wal", full + "-shm", full + "-journal"])
        {
            OwnerOnly.TryRestrict(companion, OwnerOnly.FileMode);
        }

        FilePath = full;
        _writeGate = WriteGates.GetOrAdd(full, _ => new SemaphoreSlim(1, 1));
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            // Microsoft.Data.Sqlite retries SQLITE_BUSY until this many seconds have passed; with
            // busy_timeout set, SQLite has waited that long already before it answers busy.
            DefaultTimeout = 30,
        }.ToString();
        EnsureSchema();
    }

    /// <summary>The absolute path of the database file.</summary>
    public string FilePath { get; }

    /// <summary>
    /// How many write transactions of this process found the write lock held by another connection
    /// (another process's: those of this process queue at the gate) and had to wait for it.
    /// </summary>
    public long LockedByOtherConnection => Interlocked.Read(ref _lockedByOtherConnection);

    /// <summary>How many connections write transactions have opened (one is kept for all of them, unless one fails).</summary>
    public long WriteConnectionsOpened => Interlocked.Read(ref _writeConnectionsOpened);

    /// <summary>Opens a pooled connection with this project's per-connection settings.</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        var handle = connection.Handle!;
        if (!Prepared.TryGetValue(handle, out _))
        {
            using var pragma = connection.CreateCommand();
            // NORMAL in WAL mode: a committed transaction survives a process crash (it is in the WAL);
            // only an OS crash or power loss can lose the last commits, never corrupt the file.
            pragma.CommandText = $"PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout={BusyTimeoutMilliseconds}; PRAGMA wal_autocheckpoint={AutoCheckpointPages};";
            pragma.ExecuteNonQuery();
            Prepared.AddOrUpdate(handle, Marker);
        }

        return connection;
    }

    /// <summary>
    /// Starts a write transaction (BEGIN IMMEDIATE) once every earlier write transaction of this
    /// process on this file has ended. Dispose the result to end it (rolled back unless committed).
    /// </summary>
    public async Task<SqliteWrite> BeginWriteAsync(CancellationToken cancellationToken = default)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return StartWrite();
    }

    /// <summary>Runs <paramref name="action"/> while this process's writers of this file wait at the gate (no transaction is begun).</summary>
    internal async Task<T> WhileWritersWaitAsync<T>(Func<T> action, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return action();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary><see cref="BeginWriteAsync"/> for the few callers that cannot wait asynchronously (start-up, shutdown).</summary>
    public SqliteWrite BeginWrite()
    {
        _writeGate.Wait();
        return StartWrite();
    }

    private SqliteWrite StartWrite()
    {
        var writer = _writer;
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (writer is null)
            {
                writer = new SqliteWriter(Open());
                Interlocked.Increment(ref _writeConnectionsOpened);
            }

            var handle = writer.Connection.Handle!;
            // First without waiting, to count the transactions that meet another connection's lock;
            // then with SQLite's busy handler, which retries in small steps.
            raw.sqlite3_busy_timeout(handle, 0);
            var rc = raw.sqlite3_exec(handle, "BEGIN IMMEDIATE");
            raw.sqlite3_busy_timeout(handle, BusyTimeoutMilliseconds);
            if ((rc & 0xff) == raw.SQLITE_BUSY)
            {
                Interlocked.Increment(ref _lockedByOtherConnection);
                rc = raw.sqlite3_exec(handle, "BEGIN IMMEDIATE");
            }

            SqliteException.ThrowExceptionForRC(rc, handle);
            _writer = writer;
            return new SqliteWrite(writer, EndWrite);
        }
        catch
        {
            writer?.Dispose();
            _writer = null;
            _writeGate.Release();
            throw;
        }
    }

    // Called once per write, still inside the gate: a writer that could not end its transaction is not used again.
    private void EndWrite(SqliteWriter writer, bool reusable)
    {
        try
        {
            if (!reusable)
            {
                writer.Dispose();
                _writer = null;
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Closes the write connection, once the write transaction in progress (if any) has ended.</summary>
    public void Dispose()
    {
        _writeGate.Wait();
        try
        {
            _disposed = true;
            _writer?.Dispose();
            _writer = null;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private void EnsureSchema()
    {
        // WAL first, outside a transaction (journal_mode cannot change inside one).
        using (var connection = Open())
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            wal.ExecuteNonQuery();
        }

        using var write = BeginWrite();
        var command = write.Command("""
            CREATE TABLE IF NOT EXISTS state (
                key        TEXT    NOT NULL PRIMARY KEY,
                value      BLOB    NOT NULL,
                etag       TEXT    NOT NULL,
                expires_at INTEGER NULL
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS state_by_expiry ON state (expires_at) WHERE expires_at IS NOT NULL;
            CREATE TABLE IF NOT EXISTS events (
                seq         INTEGER PRIMARY KEY AUTOINCREMENT,
                id          TEXT    NOT NULL,
                topic       TEXT    NOT NULL,
                type        TEXT    NOT NULL,
                source      TEXT    NOT NULL,
                time        INTEGER NOT NULL,
                traceparent TEXT    NULL,
                data        BLOB    NOT NULL
            );
            CREATE INDEX IF NOT EXISTS events_by_topic ON events (topic, seq);
            CREATE TABLE IF NOT EXISTS subscriptions (
                name        TEXT    NOT NULL PRIMARY KEY,
                topic       TEXT    NOT NULL,
                position    INTEGER NOT NULL,
                lease_owner TEXT    NULL,
                lease_until INTEGER NULL
            ) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS dead_letters (
                subscription TEXT    NOT NULL,
                seq          INTEGER NOT NULL,
                reason       TEXT    NOT NULL,
                time         INTEGER NOT NULL,
                PRIMARY KEY (subscription, seq)
            ) WITHOUT ROWID;
            """);
        command.ExecuteNonQuery();
        write.Commit();
    }
}

/// <summary>
/// The connection that this process's write transactions on one database use, one at a time (the gate), kept open with
/// each statement prepared once: SQLite parses a statement's text again on every prepare, and a create commits about a
/// dozen statements.
/// </summary>
internal sealed class SqliteWriter(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public SqliteConnection Connection => connection;

    /// <summary>The command for <paramref name="sql"/>, prepared on first use, with no parameters bound yet.</summary>
    public SqliteCommand Command(string sql)
    {
        if (_commands.TryGetValue(sql, out var command))
        {
            command.Parameters.Clear();
            return command;
        }

        command = connection.CreateCommand();
        command.CommandText = sql;
        _commands.Add(sql, command);
        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
        connection.Dispose();
    }
}

/// <summary>
/// One write transaction, holding this process's write gate of its file until disposed. Statements run through
/// <see cref="Command"/> (the transaction is SQLite's own, begun with BEGIN IMMEDIATE).
/// </summary>
public sealed class SqliteWrite : IDisposable
{
    private readonly SqliteWriter _writer;
    private readonly Action<SqliteWriter, bool> _end;
    private bool _disposed;

    internal SqliteWrite(SqliteWriter writer, Action<SqliteWriter, bool> end)
    {
        _writer = writer;
        _end = end;
    }

    /// <summary>
    /// The command for <paramref name="sql"/> on the transaction's connection, with no parameters: prepared once per
    /// connection and reused, so it must not be disposed, and its reader must be disposed before the next use.
    /// </summary>
    public SqliteCommand Command(string sql)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _writer.Command(sql);
    }

    /// <summary>Commits the transaction.</summary>
    public void Commit()
    {
        var handle = _writer.Connection.Handle!;
        SqliteException.ThrowExceptionForRC(raw.sqlite3_exec(handle, "COMMIT"), handle);
    }

    /// <summary>Rolls back what was not committed and opens the gate; the connection stays open for the next write.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        var reusable = false;
        try
        {
            var handle = _writer.Connection.Handle;
            reusable = handle is not null
                && (raw.sqlite3_get_autocommit(handle) != 0 || raw.sqlite3_exec(handle, "ROLLBACK") == raw.SQLITE_OK);
        }
        finally
        {
            _end(_writer, reusable);
        }
    }
}
