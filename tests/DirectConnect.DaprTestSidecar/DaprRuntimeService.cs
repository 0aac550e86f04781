using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DirectConnect.Testing.Dapr;

/// <summary>
/// The part of Dapr's runtime gRPC service (<c>dapr.proto.runtime.v1.Dapr</c>) that the adapter
/// calls, served from <see cref="DaprTestSidecar"/>. Dapr.Protos ships the runtime service only as
/// a client, so the method definitions are declared here over its message types; the handlers are
/// public virtual and named after the gRPC methods, as Grpc.AspNetCore's binder requires.
/// </summary>
[BindServiceMethod(typeof(DaprRuntimeService), nameof(BindService))]
public class DaprRuntimeService(DaprTestSidecar sidecar)
{
    private const string ServiceName = "dapr.proto.runtime.v1.Dapr";

    public static void BindService(ServiceBinderBase binder, DaprRuntimeService? service)
    {
        ArgumentNullException.ThrowIfNull(binder);
        binder.AddMethod(Unary<GetStateRequest, GetStateResponse>(nameof(GetState)), service is null ? null : service.GetState);
        binder.AddMethod(Unary<GetBulkStateRequest, GetBulkStateResponse>(nameof(GetBulkState)), service is null ? null : service.GetBulkState);
        binder.AddMethod(Unary<SaveStateRequest, Empty>(nameof(SaveState)), service is null ? null : service.SaveState);
        binder.AddMethod(Unary<DeleteStateRequest, Empty>(nameof(DeleteState)), service is null ? null : service.DeleteState);
        binder.AddMethod(Unary<ExecuteStateTransactionRequest, Empty>(nameof(ExecuteStateTransaction)), service is null ? null : service.ExecuteStateTransaction);
        binder.AddMethod(Unary<PublishEventRequest, Empty>(nameof(PublishEvent)), service is null ? null : service.PublishEvent);
    }

    public virtual Task<GetStateResponse> GetState(GetStateRequest request, ServerCallContext context)
    {
        sidecar.RequireApiToken(context);
        var response = new GetStateResponse();
        if (sidecar.Read(request.StoreName, request.Key) is { } entry)
        {
            response.Data = ByteString.CopyFrom(entry.Value);
            response.Etag = entry.ETag;
        }

        return Task.FromResult(response);
    }

    public virtual Task<GetBulkStateResponse> GetBulkState(GetBulkStateRequest request, ServerCallContext context)
    {
        sidecar.RequireApiToken(context);
        var response = new GetBulkStateResponse();
        foreach (var key in request.Keys)
        {
            // Like Dapr: an item for every key asked for, with no data and no ETag when it is absent.
            var item = new BulkStateItem { Key = key };
            if (sidecar.Read(request.StoreName, key) is { } entry)
            {
                item.Data = ByteString.CopyFrom(entry.Value);
                item.Etag = entry.ETag;
            }

            response.Items.Add(item);
        }

        return Task.FromResult(response);
    }

    // grpc.go SaveState/DeleteState: a state.ETagError of kind mismatch is Aborted; other failures are Internal.
    public virtual Task<Empty> SaveState(SaveStateRequest request, ServerCallContext context)
    {
        sidecar.RequireApiToken(context);
        Run(() => sidecar.Apply(request.StoreName, request.States.Select(s => new TransactionalStateOperation { OperationType = "upsert", Request = s })),
            StatusCode.Aborted, "ERR_STATE_SAVE", $"failed saving state in state store {request.StoreName}: ");
        return Task.FromResult(new Empty());
    }

    public virtual Task<Empty> DeleteState(DeleteStateRequest request, ServerCallContext context)
    {
        sidecar.RequireApiToken(context);
        var item = new StateItem { Key = request.Key, Etag = request.Etag, Options = request.Options };
        item.Metadata.Add(request.Metadata);
        Run(() => sidecar.Apply(request.StoreName, [new TransactionalStateOperation { OperationType = "delete", Request = item }]),
            StatusCode.Aborted, "ERR_STATE_DELETE", $"failed deleting state with key {request.Key}: ");
        return Task.FromResult(new Empty());
    }

    // grpc.go ExecuteStateTransaction: any failure of the store's Multi — an ETag mismatch included — is
    // Internal, with ErrorInfo reason ERR_STATE_TRANSACTION (apierrors.Basic) and messages.ErrStateTransaction.
    public virtual Task<Empty> ExecuteStateTransaction(ExecuteStateTransactionRequest request, ServerCallContext context)
    {
        sidecar.RequireApiToken(context);
        Run(() => sidecar.Apply(request.StoreName, request.Operations), StatusCode.Internal, "ERR_STATE_TRANSACTION",
            "error while executing state transaction: ");
        return Task.FromResult(new Empty());
    }

    public virtual Task<Empty> PublishEvent(PublishEventRequest request, ServerCallContext context)
    {
        sidecar.RequireApiToken(context);
        sidecar.Publish(request);
        return Task.FromResult(new Empty());
    }

    private static void Run(Action apply, StatusCode etagMismatch, string reason, string prefix)
    {
        try
        {
            apply();
        }
        catch (StateStoreException exception)
        {
            var code = exception.IsETagMismatch ? etagMismatch : StatusCode.Internal;
            var status = new Google.Rpc.Status
            {
                Code = (int)code,
                Message = prefix + exception.Message,
                Details = { Any.Pack(new Google.Rpc.ErrorInfo { Reason = reason, Domain = "dapr.io" }) },
            };
            throw status.ToRpcException();
        }
    }

    private static Method<TRequest, TResponse> Unary<TRequest, TResponse>(string name)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        new(MethodType.Unary, ServiceName, name,
            Marshallers.Create(m => m.ToByteArray(), bytes => new MessageParser<TRequest>(() => new TRequest()).ParseFrom(bytes)),
            Marshallers.Create(m => m.ToByteArray(), bytes => new MessageParser<TResponse>(() => new TResponse()).ParseFrom(bytes)));
}
