using System.IO.Compression;
using DirectConnect.Platform.Hosting;
using Grpc.Core;
using Grpc.Net.Compression;

namespace DirectConnect.Platform.Grpc;

/// <summary>
/// The request size limit for the gRPC messages <see cref="RequestAdmission"/> cannot measure from a frame header,
/// refused with the same status as the rest (RESOURCE_EXHAUSTED, reason <c>REQUEST_TOO_LARGE</c>, a
/// <c>QuotaFailure</c>) rather than grpc-dotnet's own details-less RESOURCE_EXHAUSTED: a compressed message
/// whose frame fits but whose content does not, and the messages of a streaming request after the first.
/// </summary>
public static class MessageSizeLimit
{
    /// <summary>The status of a message over <paramref name="maxBytes"/>.</summary>
    public static RpcException TooLarge(int maxBytes) =>
        RpcStatusMapper.ToRpcException(RpcStatusMapper.ToStatus(RequestAdmission.RequestTooLarge(maxBytes, null)));

    /// <summary><paramref name="provider"/>, whose decompression stops with <see cref="TooLarge"/> past <paramref name="maxBytes"/> of content.</summary>
    public static ICompressionProvider Bounded(ICompressionProvider provider, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(provider);
        return provider as BoundedCompression ?? new BoundedCompression(provider, maxBytes);
    }

    /// <summary>
    /// <paramref name="requestStream"/>, whose over-size message — gRPC refuses it, with a status that names no reason — is
    /// <see cref="TooLarge"/>.
    /// </summary>
    public static IAsyncStreamReader<T> Bounded<T>(IAsyncStreamReader<T> requestStream, int maxBytes) => new BoundedReader<T>(requestStream, maxBytes);

    private sealed class BoundedCompression(ICompressionProvider inner, int maxBytes) : ICompressionProvider
    {
        public string EncodingName => inner.EncodingName;

        public Stream CreateCompressionStream(Stream stream, CompressionLevel? compressionLevel) => inner.CreateCompressionStream(stream, compressionLevel);

        public Stream CreateDecompressionStream(Stream stream) => new BoundedStream(inner.CreateDecompressionStream(stream), maxBytes);
    }

    /// <summary>A read-only stream that fails once more than <c>maxBytes</c> have been read from it.</summary>
    private sealed class BoundedStream(Stream inner, int maxBytes) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Count(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        private int Count(int read)
        {
            _read += read;
            return _read > maxBytes ? throw TooLarge(maxBytes) : read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private sealed class BoundedReader<T>(IAsyncStreamReader<T> inner, int maxBytes) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            try
            {
                return await inner.MoveNext(cancellationToken);
            }
            catch (RpcException refused) when (refused.StatusCode == StatusCode.ResourceExhausted && refused.GetRpcStatus() is null)
            {
                // Reading a request message can only be refused so for its size (MaxReceiveMessageSize is the same limit).
                throw TooLarge(maxBytes);
            }
        }
    }
}
