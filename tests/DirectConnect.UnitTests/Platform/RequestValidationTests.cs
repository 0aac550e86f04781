using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Grpc;
using Google.Protobuf.WellKnownTypes;

namespace DirectConnect.UnitTests.Platform;

public sealed class RequestValidationTests
{
    [Fact]
    public void AMillionViolationsListAHundredAndCountTheRest()
    {
        // Found by the security review: one request built 1.9 million violations (~900 MB) before failing.
        var validation = new RequestValidation();
        for (var i = 0; i < 1_000_000; i++)
        {
            validation.Add($"idc_prefixes[{i}]", "is listed twice");
        }

        Assert.Equal(100, validation.Violations.Count);
        var error = Assert.Throws<DomainException>(validation.ThrowIfInvalid);
        Assert.Equal(101, error.FieldViolations.Count);
        Assert.Equal("", error.FieldViolations[^1].Field);
        Assert.Contains("999900 more violations", error.FieldViolations[^1].Description, StringComparison.Ordinal);
        Assert.StartsWith("The request has 1000000 invalid fields", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OverTheCapAFieldNotNamedYetIsStillListed()
    {
        var validation = new RequestValidation();
        for (var i = 0; i < 500; i++)
        {
            validation.Add($"access_device.ports[{i}].name", "is listed twice");
        }

        validation.Add("access_device.ports[600].speed", "is required");
        validation.Add("access_device.ports[601].speed", "is required");
        validation.Add("region", "is not served");

        var fields = Assert.Throws<DomainException>(validation.ThrowIfInvalid).FieldViolations.Select(v => v.Field).ToList();
        Assert.Contains("access_device.ports[600].speed", fields);
        Assert.DoesNotContain("access_device.ports[601].speed", fields);
        Assert.Contains("region", fields);
        Assert.Equal(RequestValidation.MaxListed + 3, fields.Count); // the first hundred, two new fields, the summary
    }

    [Fact]
    public void AFewViolationsAreListedAsTheyCame()
    {
        var validation = new RequestValidation();
        validation.Add("region", "is required");
        validation.Add("name", "is required");
        var error = Assert.Throws<DomainException>(validation.ThrowIfInvalid);
        Assert.Equal(["region", "name"], error.FieldViolations.Select(v => v.Field));
        Assert.Equal(0, validation.Omitted);
    }

    [Fact]
    public void AnUpdateMaskOfMoreThanSixteenPathsIsOneViolation()
    {
        var mask = new FieldMask();
        mask.Paths.AddRange(Enumerable.Range(0, UpdateMasks.MaxPaths + 1).Select(i => $"no_such_field_{i}"));
        var validation = new RequestValidation();

        var paths = UpdateMasks.Paths(mask, ["name", "description"], validation, _ => true);

        Assert.Empty(paths);
        var violation = Assert.Single(validation.Violations);
        Assert.Equal("update_mask", violation.Field);
        Assert.Contains("at most 16", violation.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUpdateMaskOfSixteenPathsIsLookedAt()
    {
        var mask = new FieldMask();
        mask.Paths.AddRange(Enumerable.Repeat("name", UpdateMasks.MaxPaths));
        var validation = new RequestValidation();

        Assert.Equal(["name"], UpdateMasks.Paths(mask, ["name", "description"], validation, _ => true));
        Assert.Empty(validation.Violations);
    }
}
