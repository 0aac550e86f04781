using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Grpc;
using Google.Rpc;
using Grpc.Core;

namespace DirectConnect.UnitTests.Platform;

public sealed class RpcStatusMapperTests
{
    [Fact]
    public void InvalidArgumentCarriesErrorInfoAndEveryFieldViolation()
    {
        var status = RpcStatusMapper.ToStatus(DomainException.InvalidArgument(
            [new FieldViolation("region", "is required"), new FieldViolation("physical_connection.name", "is required")]));

        Assert.Equal((int)StatusCode.InvalidArgument, status.Code);
        Assert.Equal("INVALID_ARGUMENT", status.Detail<ErrorInfo>()!.Reason);
        Assert.Equal(RpcStatusMapper.ErrorDomain, status.Detail<ErrorInfo>()!.Domain);
        Assert.Equal(["region", "physical_connection.name"], status.Detail<BadRequest>()!.FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public void EchoedInputIsClippedAndManyViolationsStillNameEveryField()
    {
        // Found by the bad-input fuzz: an update mask of a 1 MiB path, or hundreds of paths, made a status too big
        // for the HTTP/2 trailers a client accepts, and the client saw UNAVAILABLE instead of INVALID_ARGUMENT.
        var huge = new string('x', 1 << 20);
        var violations = Enumerable.Range(0, 300).Select(i => new FieldViolation("update_mask", $"'{huge}' cannot be updated"))
            .Append(new FieldViolation("vpc.cidr_blocks[3]", "is not a CIDR block"))
            .Append(new FieldViolation("vpc.cidr_blocks[4]", "is not a CIDR block"))
            .Append(new FieldViolation("region", huge))
            .ToList();
        var error = DomainException.InvalidArgument(violations);

        var status = RpcStatusMapper.ToStatus(error);

        var listed = status.Detail<BadRequest>()!.FieldViolations;
        Assert.Equal(RpcStatusMapper.MaxViolations, listed.Count);
        Assert.Equal(["update_mask", "vpc.cidr_blocks[3]", "region"], listed.Select(v => v.Field).Distinct());
        Assert.Equal("region", listed[^1].Field); // the order of the request is kept
        Assert.All(listed, v => Assert.True(v.Description.Length <= RpcStatusMapper.MaxTextLength));
        Assert.StartsWith("The request has 303 invalid fields", status.Message, StringComparison.Ordinal);
        Assert.True(status.Message.Length <= RpcStatusMapper.MaxTextLength);
        Assert.True(status.CalculateSize() < 16 * 1024, $"{status.CalculateSize()} bytes");

        var few = RpcStatusMapper.ToStatus(DomainException.InvalidArgument([new FieldViolation("name", "is required")]));
        Assert.Equal("Invalid name: is required", few.Message); // short texts are untouched
    }

    [Fact]
    public void EchoedControlAndFormatCharactersAreEscapedInEveryText()
    {
        // A status is shown to users and logged by gRPC (its message), so an echoed ESC, CR or bidi override
        // must arrive as text, not as the character.
        const string echoed = "cn\u001B[2J\rforged\u202E";
        var status = RpcStatusMapper.ToStatus(new DomainException(ErrorCode.NotFound, "RESOURCE_NOT_FOUND", $"Location '{echoed}' was not found.")
        {
            Metadata = new Dictionary<string, string> { ["id"] = echoed },
            Resource = new ResourceReference("Location", echoed, echoed),
            PreconditionViolations = [new PreconditionViolation("STATE", echoed, echoed)],
        });
        var invalid = RpcStatusMapper.ToStatus(DomainException.InvalidArgument([new FieldViolation("region", $"'{echoed}' is not a region")]));

        const string escaped = @"cn\u001B[2J\u000Dforged\u202E";
        string[] texts =
        [
            status.Message, status.Detail<ErrorInfo>()!.Metadata["id"], status.Detail<ResourceInfo>()!.ResourceName, status.Detail<ResourceInfo>()!.Description,
            status.Detail<PreconditionFailure>()!.Violations[0].Subject, invalid.Message, invalid.Detail<BadRequest>()!.FieldViolations[0].Description,
        ];
        Assert.All(texts, text => Assert.Contains(escaped, text, StringComparison.Ordinal));
        Assert.All(texts, text => Assert.False(text.Any(c => c is '\u001B' or '\r' or '\u202E'), text));
    }

    [Fact]
    public void AWrongStateCarriesTheCurrentStateAsAPreconditionFailure()
    {
        var status = RpcStatusMapper.ToStatus(DomainException.WrongState("PhysicalConnection", "dxpc-1", "STATE_APPLYING", "confirm"));
        Assert.Equal((int)StatusCode.FailedPrecondition, status.Code);
        Assert.Equal("STATE_APPLYING", status.Detail<ErrorInfo>()!.Metadata["currentState"]);
        Assert.Equal("STATE", status.Detail<PreconditionFailure>()!.Violations.Single().Type);
        Assert.Equal("dxpc-1", status.Detail<ResourceInfo>()!.ResourceName);
    }

    [Fact]
    public void NotFoundNamesTheResource()
    {
        var status = RpcStatusMapper.ToStatus(DomainException.NotFound("PhysicalConnection", "dxpc-9"));
        Assert.Equal((int)StatusCode.NotFound, status.Code);
        Assert.Equal("PhysicalConnection", status.Detail<ResourceInfo>()!.ResourceType);
        Assert.Null(status.Detail<BadRequest>());
    }

    [Fact]
    public void QuotaAndRetryDetailsAreCarried()
    {
        var status = RpcStatusMapper.ToStatus(new DomainException(ErrorCode.ResourceExhausted, "QUOTA_EXCEEDED", "too many")
        {
            QuotaViolations = [new QuotaViolation("account:acme", "10 connections per region")],
            RetryDelay = TimeSpan.FromSeconds(3),
        });
        Assert.Equal((int)StatusCode.ResourceExhausted, status.Code);
        Assert.Equal("account:acme", status.Detail<QuotaFailure>()!.Violations.Single().Subject);
        Assert.Equal(3, status.Detail<RetryInfo>()!.RetryDelay.Seconds);
    }

    [Fact]
    public void AnInternalErrorCarriesOnlyTheTraceId()
    {
        var status = RpcStatusMapper.Internal("4bf92f3577b34da6a3ce929d0e0e4736");
        Assert.Equal((int)StatusCode.Internal, status.Code);
        Assert.Contains("4bf92f3577b34da6a3ce929d0e0e4736", status.Message, StringComparison.Ordinal);
        Assert.Equal("INTERNAL", status.Detail<ErrorInfo>()!.Reason);
        Assert.Single(status.Details);
    }
}
