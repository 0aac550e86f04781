using Google.Rpc;
using Grpc.Core;

namespace DirectConnect.IntegrationTests;

/// <summary>Assertions on gRPC failures and their google.rpc.Status details.</summary>
internal static class RpcAssert
{
    public static async Task<Google.Rpc.Status> FailsWith(StatusCode code, Func<Task> call)
    {
        var exception = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, exception.StatusCode);
        Assert.DoesNotContain("   at ", exception.Status.Detail, StringComparison.Ordinal); // never a stack trace
        var status = exception.GetRpcStatus();
        Assert.NotNull(status);
        Assert.Equal((int)code, status.Code);
        return status;
    }

    /// <summary>Failures raised before a method runs (authentication) carry a bare status.</summary>
    public static async Task FailsWithoutStatus(StatusCode code, Func<Task> call)
    {
        var exception = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, exception.StatusCode);
    }

    public static T Detail<T>(this Google.Rpc.Status status) where T : class, Google.Protobuf.IMessage<T>, new() =>
        status.Details.Select(d => d.TryUnpack<T>(out var value) ? value : null).FirstOrDefault(v => v is not null)
        ?? throw new Xunit.Sdk.XunitException($"The status has no {typeof(T).Name} detail: {status}");

    public static string Reason(this Google.Rpc.Status status) => status.Detail<ErrorInfo>().Reason;
}
