using System.Runtime.CompilerServices;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;

namespace DirectConnect.Cli.Calls;

/// <summary>
/// Calls any public method by its descriptor over one gRPC channel, with the bearer token in the
/// <c>authorization</c> header: the same calls a generated client makes, without one class per service.
/// </summary>
public sealed class ApiClient : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly CallInvoker _invoker;
    private readonly Metadata _headers = [];

    /// <summary>A client of the API at <paramref name="endpoint"/> (gRPC; <c>http://</c> is h2c).</summary>
    public ApiClient(Uri endpoint, string? token)
    {
        _channel = GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 });
        _invoker = _channel.CreateCallInvoker();
        if (!string.IsNullOrEmpty(token))
        {
            _headers.Add("authorization", $"Bearer {token}");
        }
    }

    /// <summary>A unary call.</summary>
    public async Task<IMessage> CallAsync(MethodDescriptor method, IMessage request, CancellationToken cancellationToken)
    {
        using var call = _invoker.AsyncUnaryCall(MethodOf(method, MethodType.Unary), null, new CallOptions(_headers, cancellationToken: cancellationToken), request);
        return await call.ResponseAsync;
    }

    /// <summary>A server-streaming call, until the server ends it or <paramref name="cancellationToken"/> does.</summary>
    public async IAsyncEnumerable<IMessage> StreamAsync(MethodDescriptor method, IMessage request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var call = _invoker.AsyncServerStreamingCall(MethodOf(method, MethodType.ServerStreaming), null, new CallOptions(_headers, cancellationToken: cancellationToken), request);
        while (await call.ResponseStream.MoveNext(cancellationToken))
        {
            yield return call.ResponseStream.Current;
        }
    }

    /// <summary>
    /// A server-streaming call once its response headers have arrived (for the watch: once it is open, and with
    /// where it starts). A refusal surfaces here or at the first read, as an <see cref="RpcException"/>.
    /// </summary>
    public async Task<(AsyncServerStreamingCall<IMessage> Call, Metadata Headers)> OpenStreamAsync(MethodDescriptor method, IMessage request, CancellationToken cancellationToken)
    {
        var call = _invoker.AsyncServerStreamingCall(MethodOf(method, MethodType.ServerStreaming), null, new CallOptions(_headers, cancellationToken: cancellationToken), request);
        try
        {
            return (call, await call.ResponseHeadersAsync);
        }
        catch
        {
            call.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _channel.Dispose();

    private static Method<IMessage, IMessage> MethodOf(MethodDescriptor method, MethodType type) =>
        new(type, method.Service.FullName, method.Name, MarshallerOf(method.InputType), MarshallerOf(method.OutputType));

    private static Marshaller<IMessage> MarshallerOf(MessageDescriptor type) =>
        Marshallers.Create(message => message.ToByteArray(), bytes => type.Parser.ParseFrom(bytes));
}
