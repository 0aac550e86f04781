using System.Net;
using System.Text;
using DirectConnect.Contracts.V1;
using Grpc.Core;
using PdfSharp.Pdf;
using PdfSharp.Pdf.Advanced;
using PdfSharp.Pdf.IO;

namespace DirectConnect.IntegrationTests;

/// <summary>The Letter of Authorization and Connecting Facility Assignment, as a customer downloads it.</summary>
public sealed class LoaTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    private readonly Lifecycle _steps = new(system.Channel, system.As);

    [Fact]
    public async Task TheLoaIsAPdfThatParsesAndNamesTheAllocatedPort()
    {
        var location = await system.AddLocationAsync();
        await system.AddDeviceAsync(location, ports: 3);
        var account = "loa-" + Guid.NewGuid().ToString("N")[..8];
        var first = await _steps.PayAsync(await _steps.ApproveAsync(await _steps.OrderAsync(account, location)));
        var paid = await _steps.PayAsync(await _steps.ApproveAsync(await _steps.OrderAsync(account, location)));
        Assert.Equal("xe-0/0/1", paid.Port.PortName);

        using var http = system.Rest(account, "customer");
        var response = await http.GetAsync($"/v1/regions/{Lifecycle.Region}/physicalConnections/{paid.Id}/loa");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.StartsWith("%PDF-", Encoding.ASCII.GetString(bytes, 0, 5), StringComparison.Ordinal);

        using var pdf = PdfReader.Open(new MemoryStream(bytes), PdfDocumentOpenMode.Import);
        Assert.Equal(1, pdf.PageCount);
        Assert.Contains("xe-0/0/1", pdf.Info.Subject, StringComparison.Ordinal);
        Assert.Contains(paid.Port.AccessDeviceId, pdf.Info.Keywords, StringComparison.Ordinal);
        var text = PageText(pdf.Pages[0]);
        foreach (var expected in new[] { account, paid.Id, "(xe-0/0/1)", paid.Port.AccessDeviceId, location, "10G", "1000 Mbit/s" })
        {
            Assert.Contains(expected, text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain($"({first.Port.PortName})", text, StringComparison.Ordinal); // the other connection's port
    }

    [Fact]
    public async Task ThereIsNoLoaBeforeAPortIsAllocatedNorForAnotherAccount()
    {
        var location = await system.AddLocationAsync();
        var ordered = await _steps.OrderAsync("loa-" + Guid.NewGuid().ToString("N")[..8], location);
        var client = _steps.Client;
        var status = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, async () =>
            await client.GetPhysicalConnectionLoaAsync(new GetPhysicalConnectionLoaRequest { Region = Lifecycle.Region, Id = ordered.Id }, _steps.Customer(ordered.AccountId)));
        Assert.Equal("PORT_NOT_ALLOCATED", status.Reason());

        await system.AddDeviceAsync(location, ports: 1);
        var paid = await _steps.PayAsync(await _steps.ApproveAsync(ordered));
        await RpcAssert.FailsWith(StatusCode.NotFound, async () =>
            await client.GetPhysicalConnectionLoaAsync(new GetPhysicalConnectionLoaRequest { Region = Lifecycle.Region, Id = paid.Id }, _steps.Customer("someone-else")));
    }

    /// <summary>The text-showing operands of a page's content streams (the LOA writes them uncompressed, WinAnsi).</summary>
    private static string PageText(PdfPage page)
    {
        var text = new StringBuilder();
        foreach (var item in page.Contents.Elements)
        {
            var stream = (item as PdfReference)?.Value as PdfDictionary ?? item as PdfDictionary;
            if (stream?.Stream is { } content)
            {
                text.Append(Encoding.Latin1.GetString(content.UnfilteredValue));
            }
        }

        return text.ToString();
    }
}
