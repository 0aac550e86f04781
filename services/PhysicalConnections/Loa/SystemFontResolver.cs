using PdfSharp.Fonts;

namespace DirectConnect.PhysicalConnections.Loa;

/// <summary>
/// PDFsharp needs font files to measure and embed text; on Linux it finds none by itself. This
/// resolver uses a sans-serif TrueType font of the system (DejaVu Sans, from Debian's
/// <c>fonts-dejavu-core</c>, which ./test.sh installs; or Liberation Sans), whatever family the
/// document asks for.
/// </summary>
internal sealed class SystemFontResolver : IFontResolver
{
    private const string Regular = "sans-regular";
    private const string Bold = "sans-bold";

    private static readonly string[] RegularCandidates =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/Library/Fonts/Arial.ttf",
        @"C:\Windows\Fonts\arial.ttf",
    ];

    private static readonly string[] BoldCandidates =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
        "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
        "/Library/Fonts/Arial Bold.ttf",
        @"C:\Windows\Fonts\arialbd.ttf",
    ];

    private static readonly Lazy<string?> RegularPath = new(() => RegularCandidates.FirstOrDefault(File.Exists));
    private static readonly Lazy<string?> BoldPath = new(() => BoldCandidates.FirstOrDefault(File.Exists) ?? RegularPath.Value);

    /// <summary>True when a usable font was found.</summary>
    public static bool Available => RegularPath.Value is not null;

    /// <inheritdoc />
    public FontResolverInfo ResolveTypeface(string familyName, bool bold, bool italic) => new(bold ? Bold : Regular);

    /// <inheritdoc />
    public byte[]? GetFont(string faceName)
    {
        var path = faceName == Bold ? BoldPath.Value : RegularPath.Value;
        return path is null ? null : File.ReadAllBytes(path);
    }
}
