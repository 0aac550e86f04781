// A REST client as a .NET user builds it from the gateway's OpenAPI document: the C# client Kiota generates
// from the live /openapi/v1.json (namespace DirectConnect.Kiota, in Client/), used as it comes. It orders a
// physical connection, lists it, downloads a LOA as bytes, reads the reason of an error and opens the watch,
// which must hand over its stream of events at once rather than wait for the stream to end.
//
// Run by tests/DirectConnect.IntegrationTests/OpenApiClientTests.cs with `dotnet run`, which passes:
//   CUSTOMER_TOKEN  a bearer token with the customer role
//   LOCATION_ID     a location of cn-north-1 to order at
//   PAID_ID         a physical connection of the customer's account with a port allocated
// No address is passed: the client's default is the server the document names. Exit code 0 and
// "kiota: passed" mean it passed.
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DirectConnect.Kiota;
using DirectConnect.Kiota.Models;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

const string Region = "cn-north-1";

using var http = new HttpClient();
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Required("CUSTOMER_TOKEN"));
var client = new DirectConnectClient(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http));
var connections = client.V1.Regions[Region].PhysicalConnections;

// Create: output-only fields are read-only properties, never sent.
var ordered = await connections.PostAsync(new DirectConnect.Kiota.Models.PhysicalConnection.PhysicalConnection
{
    Name = "kiota",
    LocationId = Required("LOCATION_ID"),
    PortSpeed = PortSpeed.PORT_SPEED_10G,
    BandwidthMbps = 1000,
    Provider = "China Telecom",
}) ?? throw new InvalidOperationException("create returned nothing");
DateTimeOffset created = ordered.CreateTime ?? throw new InvalidOperationException("no createTime");
Check(ordered.State == DirectConnect.Kiota.Models.PhysicalConnection.State.STATE_APPLYING, $"state {ordered.State}");

// List.
var page = await connections.GetAsync(request => request.QueryParameters.PageSize = 1000);
var ids = page?.PhysicalConnections?.Select(c => c.Id).ToArray() ?? [];
Check(ids.Contains(ordered.Id) && ids.Contains(Required("PAID_ID")), $"the list has {string.Join(", ", ids)}");

// The LOA as bytes.
byte[] pdf;
await using (var loa = await connections[Required("PAID_ID")].Loa.GetAsync() ?? throw new InvalidOperationException("no LOA"))
{
    using var buffer = new MemoryStream();
    await loa.CopyToAsync(buffer);
    pdf = buffer.ToArray();
}

Check(pdf.Length > 5 && Encoding.ASCII.GetString(pdf, 0, 5) == "%PDF-", "the LOA is not a PDF");

// An error: the new connection has no port yet, so no LOA; the 4xx is a typed google.rpc.Status.
string? reason = null;
try
{
    await connections[ordered.Id].Loa.GetAsync();
    Check(false, "the LOA of a connection without a port was served");
}
catch (DirectConnect.Kiota.Models.Google.Rpc.Status error)
{
    Check(error.ResponseStatusCode == 400, $"HTTP {error.ResponseStatusCode}");
    reason = error.Details?.Select(detail => detail.ErrorInfo?.Reason).FirstOrDefault(r => r is not null);
}

Check(reason == "PORT_NOT_ALLOCATED", $"reason {reason}");

// The watch: the call returns with the open stream; its first change is read from it while it stays open.
string firstChange;
using (var cancel = new CancellationTokenSource())
{
    await using var events = await client.V1.Regions[Region].ChangesWatch.GetAsync(cancellationToken: cancel.Token)
                             ?? throw new InvalidOperationException("no watch stream");
    using var reader = new StreamReader(events);
    string? line;
    do
    {
        line = await reader.ReadLineAsync(cancel.Token);
    }
    while (line is not null && !line.StartsWith("data: ", StringComparison.Ordinal));

    Check(line is not null, "the watch ended before its first change");
    firstChange = JsonDocument.Parse(line![6..]).RootElement.GetProperty("resourceId").GetString() ?? "";
    await cancel.CancelAsync();
}

Console.WriteLine($"created {created:O}, listed {ids.Length}, LOA {pdf.Length} bytes, error reason {reason}, first change {firstChange}");
Console.WriteLine("kiota: passed");

static string Required(string name) =>
    Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : throw new InvalidOperationException($"{name} is not set (see the header of Program.cs)");

static void Check(bool condition, string failure)
{
    if (!condition)
    {
        throw new InvalidOperationException(failure);
    }
}
