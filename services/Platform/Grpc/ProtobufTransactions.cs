using System.Security.Cryptography;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Idempotency;
using DirectConnect.Platform.Tenancy;
using Google.Protobuf;

namespace DirectConnect.Platform.Grpc;

/// <summary>Protobuf conveniences for mutations: request ids from requests, and responses stored as protobuf bytes.</summary>
public static class ProtobufTransactions
{
    /// <summary>Name of the idempotency field every mutating request carries.</summary>
    public const string RequestIdField = "request_id";

    /// <summary>
    /// The <see cref="RequestId"/> of <paramref name="request"/> for <paramref name="scope"/>, or null
    /// when the client sent none. A malformed request id is added to <paramref name="validation"/>.
    /// The fingerprint digests the request without its request id.
    /// </summary>
    public static RequestId? RequestIdOf(IMessage request, string scope, Caller caller, RequestValidation validation)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(validation);
        var field = request.Descriptor.FindFieldByName(RequestIdField)
            ?? throw new ArgumentException($"{request.Descriptor.FullName} has no {RequestIdField} field.", nameof(request));
        var value = (string)field.Accessor.GetValue(request);
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (!validation.Check(RequestId.IsValid(value), RequestIdField,
                $"must be at most {RequestId.MaxLength} letters, digits, '-', '_' or '.' (a UUID is recommended)"))
        {
            return null;
        }

        var withoutId = request.Descriptor.Parser.ParseFrom(request.ToByteArray());
        field.Accessor.Clear(withoutId);
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(withoutId.ToByteArray()));
        return new RequestId(scope, caller.AccountId, value, fingerprint);
    }

    /// <summary>Runs a mutation whose result is a protobuf message (stored as its bytes for retries).</summary>
    public static Task<T> RunAsync<T>(this OptimisticTransaction transaction, RequestId? requestId,
        Func<CancellationToken, Task<TransactionPlan<T>>> plan, MessageParser<T> parser, string what,
        CancellationToken cancellationToken)
        where T : IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(parser);
        return transaction.RunAsync(requestId, plan, result => result.ToByteArray(), parser.ParseFrom, what, cancellationToken);
    }

    /// <summary>An event carrying <paramref name="message"/>, typed by its protobuf full name, with the current trace context.</summary>
    public static OutgoingEvent ToEvent(this IMessage message, string topic)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new OutgoingEvent(topic, message.Descriptor.FullName, message.ToByteArray())
        {
            TraceParent = EventTelemetry.CurrentTraceParent,
            OrderingKey = SubjectOf(message),
        };
    }

    /// <summary>
    /// The id of the resource an event message is about: its <c>id</c> field, else its first string
    /// field whose name ends in <c>_id</c> (<c>physical_connection_id</c> of PortAllocated,
    /// <c>border_gateway_id</c> of VpcAttached). Null when the message names none.
    /// </summary>
    public static string? SubjectOf(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var field = message.Descriptor.FindFieldByName("id") is { FieldType: Google.Protobuf.Reflection.FieldType.String, IsRepeated: false } id
            ? id
            : message.Descriptor.Fields.InDeclarationOrder().FirstOrDefault(f =>
                f.FieldType == Google.Protobuf.Reflection.FieldType.String && !f.IsRepeated && f.Name.EndsWith("_id", StringComparison.Ordinal) && f.Name != "account_id");
        return field?.Accessor.GetValue(message) is string { Length: > 0 } value ? value : null;
    }
}
