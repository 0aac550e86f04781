using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace DirectConnect.Platform.Coordination.Sqlite;

/// <summary>
/// Long-lived read connections of one database, each with its state lookup prepared once: a read
/// rents one, runs the prepared statement and gives it back, instead of opening a pooled connection
/// and preparing a new statement every time. Each read is its own statement in autocommit mode, so it
/// starts a new read transaction and sees every commit of other connections and processes (WAL); the
/// statement is reset before the connection goes back, which ends that read transaction, so no idle
/// connection holds an old snapshot (or keeps a checkpoint from the log).
/// </summary>
/// <remarks>
/// What was read is kept for as long as the database stays at the same commit, which its wal-index header
/// (<see cref="WalIndexHeader"/>) tells without a transaction: a read first takes the header, and finds the keys read
/// since the header last changed without asking SQLite. A read transaction costs two file-lock calls (to take and to
/// release the reader's slot in the <c>-shm</c> file), which under load were the largest single cost of a point read.
/// Any commit, of this process or another, changes the header and so starts an empty generation: nothing read before
/// a commit is served after it. When the header cannot be read (not WAL mode, a header being written), every key is
/// read from the database.
/// </remarks>
internal sealed class SqliteStateReaders(SqliteDatabase database) : IDisposable
{
    // More idle connections than readers that run at once buy nothing; beyond this, a returned one is closed.
    private static readonly int MaxIdle = Math.Max(4, Environment.ProcessorCount * 2);

    // Documents kept per generation: the hot ones of a busy region, a few MB; beyond it, reads go to the database.
    private const int GenerationCapacity = 4096;

    private readonly ConcurrentStack<StateReader> _idle = new();
    private readonly Lazy<WalIndexHeader?> _header = new(() => WalIndexHeader.TryOpen(database));
    private Generation? _generation;
    private long _opened;
    private long _fromGeneration;
    private volatile bool _disposed;

    /// <summary>How many read connections have been opened so far.</summary>
    public long Opened => Interlocked.Read(ref _opened);

    /// <summary>How many lookups were answered from what was read since the last commit, without the database.</summary>
    public long ServedWithoutDatabase => Interlocked.Read(ref _fromGeneration);

    /// <summary>Looks up each of <paramref name="keys"/>, adding to <paramref name="found"/> those that exist and have not expired at <paramref name="now"/>.</summary>
    public void Read(IEnumerable<string> keys, long now, Dictionary<string, StateItem> found)
    {
        var generation = Current();
        StateReader? reader = null;
        try
        {
            foreach (var key in keys)
            {
                if (generation is not null && generation.Rows.TryGetValue(key, out var kept))
                {
                    Interlocked.Increment(ref _fromGeneration);
                    Add(found, key, kept, now);
                    continue;
                }

                reader ??= Rent();
                var row = reader.Read(key);
                if (row is not null)
                {
                    generation?.Keep(key, row);
                }

                Add(found, key, row, now);
            }
        }
        catch
        {
            reader?.Dispose(); // a connection that failed is not handed out again
            throw;
        }

        if (reader is not null)
        {
            Return(reader);
        }
    }

    private static void Add(Dictionary<string, StateItem> found, string key, Row? row, long now)
    {
        if (row is not null && (row.ExpiresAt is null || row.ExpiresAt > now))
        {
            found[key] = row.Item;
        }
    }

    /// <summary>The generation of the commit the database is at now (a new, empty one when it moved); null when that is not known.</summary>
    private Generation? Current()
    {
        if (_disposed || _header.Value?.Read() is not { } version)
        {
            return null;
        }

        var generation = Volatile.Read(ref _generation);
        if (generation is not null && generation.Version == version)
        {
            return generation;
        }

        // Rows are added to a generation only after its header was seen, so each reflects that commit or a later one; a
        // later one changed the header, so no reader that sees this header again can be given it.
        var fresh = new Generation(version);
        Interlocked.CompareExchange(ref _generation, fresh, generation);
        return fresh;
    }

    /// <summary>Closes the idle connections; a read still running closes its own when it ends.</summary>
    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryPop(out var reader))
        {
            reader.Dispose();
        }

        if (_header.IsValueCreated)
        {
            _header.Value?.Dispose();
        }
    }

    private StateReader Rent()
    {
        if (_idle.TryPop(out var reader))
        {
            return reader;
        }

        Interlocked.Increment(ref _opened);
        return new StateReader(database.Open());
    }

    private void Return(StateReader reader)
    {
        if (_disposed || _idle.Count >= MaxIdle)
        {
            reader.Dispose();
            return;
        }

        _idle.Push(reader);
        if (_disposed && _idle.TryPop(out var late))
        {
            late.Dispose(); // disposed while this one was being returned
        }
    }

    /// <summary>
    /// One read connection and its lookup, prepared once and run through SQLite's own interface (SQLitePCLRaw, which
    /// Microsoft.Data.Sqlite is built on): a point read is a bind, a step and a reset, without the data reader, the
    /// statement enumeration and the parameter binding that <see cref="SqliteCommand"/> repeats on every execution.
    /// The connection's busy handler (<c>busy_timeout</c>) waits out a lock as it does for commands.
    /// </summary>
    private sealed class StateReader : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly sqlite3_stmt _lookup;

        public StateReader(SqliteConnection connection)
        {
            _connection = connection;
            var db = connection.Handle!;
            var rc = raw.sqlite3_prepare_v2(db, "SELECT value, etag, expires_at FROM state WHERE key = ?1", out _lookup);
            if (rc != raw.SQLITE_OK)
            {
                connection.Dispose();
                SqliteException.ThrowExceptionForRC(rc, db);
            }
        }

        public Row? Read(string key)
        {
            var db = _connection.Handle!;
            try
            {
                Check(raw.sqlite3_bind_text(_lookup, 1, key), db);
                var rc = raw.sqlite3_step(_lookup);
                if (rc == raw.SQLITE_DONE)
                {
                    return null;
                }

                if (rc != raw.SQLITE_ROW)
                {
                    SqliteException.ThrowExceptionForRC(rc, db);
                }

                var expires = raw.sqlite3_column_type(_lookup, 2) == raw.SQLITE_NULL ? (long?)null : raw.sqlite3_column_int64(_lookup, 2);
                return new Row(new StateItem(key, raw.sqlite3_column_blob(_lookup, 0).ToArray(), raw.sqlite3_column_text(_lookup, 1).utf8_to_string()), expires);
            }
            finally
            {
                // Ends the statement's read transaction, so that an idle connection holds no snapshot.
                raw.sqlite3_reset(_lookup);
            }
        }

        public void Dispose()
        {
            _lookup.Dispose();
            _connection.Dispose();
        }

        private static void Check(int rc, sqlite3 db)
        {
            if (rc != raw.SQLITE_OK)
            {
                SqliteException.ThrowExceptionForRC(rc, db);
            }
        }
    }

    /// <summary>A stored row: its item, and when it expires (unix milliseconds; null for never).</summary>
    private sealed record Row(StateItem Item, long? ExpiresAt);

    /// <summary>The rows read while the database was at one commit, at most <see cref="GenerationCapacity"/>.</summary>
    private sealed class Generation(WalVersion version)
    {
        private int _count;

        public WalVersion Version { get; } = version;

        public ConcurrentDictionary<string, Row> Rows { get; } = new(StringComparer.Ordinal);

        public void Keep(string key, Row row)
        {
            // Counted here: ConcurrentDictionary.Count takes every lock of the dictionary.
            if (Volatile.Read(ref _count) < GenerationCapacity && Rows.TryAdd(key, row))
            {
                Interlocked.Increment(ref _count);
            }
        }
    }
}
