using System.Globalization;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace DirectConnect.PhysicalConnections.Loa;

/// <summary>What a Letter of Authorization and Connecting Facility Assignment states.</summary>
public sealed record LoaContent(
    string AccountId,
    string PhysicalConnectionId,
    string ConnectionName,
    string Region,
    string LocationId,
    string LocationCode,
    string LocationName,
    string LocationAddress,
    string AccessDeviceId,
    string AccessDeviceName,
    string PortName,
    string PortSpeed,
    int BandwidthMbps,
    string Provider,
    DateTimeOffset IssueDate);

/// <summary>
/// Renders the LOA-CFA as a one-page PDF. The text is written uncompressed with WinAnsi
/// encoding, and the key facts also go into the document's metadata, so that a carrier's tools
/// (and our tests) can read the port back from the file.
/// </summary>
public static class LoaDocument
{
    private static readonly Lock FontSetup = new();

    /// <summary>The PDF bytes of <paramref name="content"/>.</summary>
    public static byte[] Render(LoaContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        EnsureFonts();
        using var document = new PdfDocument();
        document.Options.CompressContentStreams = false;
        document.Info.Title = $"LOA-CFA {content.PhysicalConnectionId}";
        document.Info.Subject = $"Letter of Authorization and Connecting Facility Assignment: {content.AccessDeviceId} port {content.PortName}";
        document.Info.Author = "DirectConnect";
        document.Info.Keywords = string.Join(' ', content.PhysicalConnectionId, content.AccessDeviceId, content.PortName, content.LocationCode);

        var page = document.AddPage();
        page.Size = PdfSharp.PageSize.A4;
        using (var graphics = XGraphics.FromPdfPage(page))
        {
            var options = new XPdfFontOptions(PdfFontEncoding.WinAnsi);
            var title = new XFont("sans", 16, XFontStyleEx.Bold, options);
            var label = new XFont("sans", 10, XFontStyleEx.Bold, options);
            var text = new XFont("sans", 10, XFontStyleEx.Regular, options);
            double left = 56, y = 64;
            graphics.DrawString("Letter of Authorization and", title, XBrushes.Black, left, y);
            graphics.DrawString("Connecting Facility Assignment (LOA-CFA)", title, XBrushes.Black, left, y += 22);
            y += 20;
            graphics.DrawString(
                "The customer below is authorised to have its carrier connect to the cloud port assigned here.",
                text, XBrushes.Black, left, y += 14);
            y += 10;
            foreach (var (name, value) in Rows(content))
            {
                graphics.DrawString(name, label, XBrushes.Black, left, y += 18);
                graphics.DrawString(value, text, XBrushes.Black, left + 170, y);
            }

            graphics.DrawString("This letter is valid for 90 days from its issue date.", text, XBrushes.Black, left, y += 36);
        }

        using var stream = new MemoryStream();
        document.Save(stream, closeStream: false);
        return stream.ToArray();
    }

    private static IEnumerable<(string, string)> Rows(LoaContent content)
    {
        yield return ("Issue date", content.IssueDate.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        yield return ("Account", content.AccountId);
        yield return ("Physical connection", $"{content.PhysicalConnectionId} ({content.ConnectionName})");
        yield return ("Region", content.Region);
        yield return ("Location", $"{content.LocationCode} {content.LocationName} ({content.LocationId})");
        yield return ("Address", content.LocationAddress);
        yield return ("Access device", $"{content.AccessDeviceName} ({content.AccessDeviceId})");
        yield return ("Port", content.PortName);
        yield return ("Port speed", content.PortSpeed);
        yield return ("Bandwidth", $"{content.BandwidthMbps} Mbit/s");
        yield return ("Carrier", content.Provider);
    }

    private static void EnsureFonts()
    {
        lock (FontSetup)
        {
            if (GlobalFontSettings.FontResolver is not SystemFontResolver)
            {
                if (!SystemFontResolver.Available)
                {
                    throw new InvalidOperationException("No TrueType font found to render the LOA (install Debian's fonts-dejavu-core).");
                }

                GlobalFontSettings.FontResolver = new SystemFontResolver();
            }
        }
    }
}
