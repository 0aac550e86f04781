using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace DirectConnect.Platform.Coordination.Sqlite;

/// <summary>
/// Long-lived read connections of one database, each with its state lookup prepared once: a read
/// rents one, runs the prepared statement and gives it back, instead of opening a pooled connection
/// and preparing a new statement every time. Each read is its own statement in autocommit mode, so it
/// starts a new read transaction and sees every commit of other connections and processes (WAL); its
/// reader is disposed before the connection goes back, which resets the statement and ends that read
/// transaction, so no idle connection holds an old snapshot (or keeps a checkpoint from the log).
/// </summary>
internal sealed class SqliteStateReaders(SqliteDatabase database) : IDisposable
{
    // More idle connections than readers that run at once buy nothing; beyond this, a returned one is closed.
    private static readonly int MaxIdle = Math.Max(4, Environment.ProcessorCount * 2);

    private readonly ConcurrentStack<StateReader> _idle = new();
    private long _opened;
    private volatile bool _disposed;

    /// <summary>How many read connections have been opened so far.</summary>
    public long Opened => Interlocked.Read(ref _opened);

    /// <summary>Looks up each of <paramref name="keys"/>, adding to <paramref name="found"/> those that exist and have not expired at <paramref name="now"/>.</summary>
    public void Read(IEnumerable<string> keys, long now, Dictionary<string, StateItem> found)
    {
        var reader = Rent();
        try
        {
            foreach (var key in keys)
            {
                if (reader.Read(key, now) is { } item)
                {
                    found[key] = item;
                }
            }
        }
        catch
        {
            reader.Dispose(); // a connection that failed is not handed out again
            throw;
        }

        Return(reader);
    }

    /// <summary>Closes the idle connections; a read still running closes its own when it ends.</summary>
    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryPop(out var reader))
        {
            reader.Dispose();
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

    private sealed class StateReader : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _command;
        private readonly SqliteParameter _key;

        public StateReader(SqliteConnection connection)
        {
            _connection = connection;
            _command = connection.CreateCommand();
            _command.CommandText = "SELECT value, etag, expires_at FROM state WHERE key = $key";
            _key = _command.Parameters.Add("$key", SqliteType.Text);
            _command.Prepare();
        }

        public StateItem? Read(string key, long now)
        {
            _key.Value = key;
            using var reader = _command.ExecuteReader();
            return reader.Read() && (reader.IsDBNull(2) || reader.GetInt64(2) > now)
                ? new StateItem(key, reader.GetFieldValue<byte[]>(0), reader.GetString(1))
                : null;
        }

        public void Dispose()
        {
            _command.Dispose();
            _connection.Dispose();
        }
    }
}
