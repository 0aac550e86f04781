namespace DirectConnect.Platform.Coordination;

/// <summary>
/// Thrown by a transaction plan whose reads do not fit together because another writer got in
/// between them (e.g. an index read before a document it names changed). Like a failed ETag
/// check, the attempt is discarded and planned again from fresh reads.
/// </summary>
public sealed class StaleReadException(string message) : Exception(message);
