using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Text;

namespace DirectConnect.UnitTests.Platform;

/// <summary>Control, format and separator characters: refused in typed text, escaped wherever text is echoed.</summary>
public sealed class UnsafeCharactersTests
{
    [Theory]
    [InlineData("invoice\u202Efdp.exe", "U+202E (a format character)")] // right-to-left override: shows as invoiceexe.pdf
    [InlineData("a\u2066b", "U+2066 (a format character)")] // left-to-right isolate
    [InlineData("zero\u200Bwidth", "U+200B (a format character)")]
    [InlineData("bom\uFEFF", "U+FEFF (a format character)")]
    [InlineData("tag\U000E0041", "U+E0041 (a format character)")]
    [InlineData("line\u2028break", "U+2028 (a line separator)")]
    [InlineData("para\u2029break", "U+2029 (a paragraph separator)")]
    [InlineData("esc\u001B[31m", "U+001B (a control character)")]
    [InlineData("cr\rlf", "U+000D (a control character)")]
    [InlineData("lf\n", "U+000A (a control character)")]
    [InlineData("nul\0", "U+0000 (a control character)")]
    [InlineData("c1\u0085", "U+0085 (a control character)")]
    public void TheFirstUnsafeCharacterIsNamedByItsCodePoint(string text, string expected) =>
        Assert.Equal(expected, UnsafeCharacters.FindFirst(text)?.ToString());

    [Fact]
    public void AnUnpairedSurrogateIsUnsafeToo() // not inline data: the runner's serialization would replace it
    {
        Assert.Equal("U+D800 (an unpaired surrogate)", UnsafeCharacters.FindFirst("lone\uD800!")?.ToString());
        Assert.Equal("U+DC00 (an unpaired surrogate)", UnsafeCharacters.FindFirst("\uDC00\uD800")?.ToString());
    }

    [Theory]
    [InlineData("China Telecom")]
    [InlineData("北京亦庄 1号")]
    [InlineData("Zürich – Rue de l'Été")]
    [InlineData("emoji \U0001F600")]
    [InlineData("non\u00A0breaking space")]
    public void OrdinaryTextHasNone(string text) => Assert.Null(UnsafeCharacters.FindFirst(text));

    [Fact]
    public void EscapingWritesEachUnsafeCharacterAsItsCodePointAndKeepsTheRest()
    {
        Assert.Equal(@"a\u001B[31mb\u000D\u000Ac\u202Ed\U000E0041\uD800北", UnsafeCharacters.Escape("a\u001B[31mb\r\nc\u202Ed\U000E0041\uD800北"));
        Assert.Equal("line one\nline\\u000D two", UnsafeCharacters.Escape("line one\nline\r two", keepLineFeeds: true));
        Assert.Equal("plain", UnsafeCharacters.Escape("plain"));
    }

    [Theory]
    [InlineData("invoice\u202Efdp.exe", "U+202E (a format character)")]
    [InlineData("line\u2028break", "U+2028 (a line separator)")]
    [InlineData("two\nlines", "U+000A (a control character)")]
    [InlineData("tab\there", "U+0009 (a control character)")]
    public void RequiredAndOptionalTextRefuseThemNamingTheFieldAndTheCodePoint(string text, string named)
    {
        var validation = new RequestValidation();
        Assert.False(validation.RequireText(text, "location.name", 64));
        Assert.False(validation.OptionalText(text, "location.address", 256));
        Assert.Equal(
            [("location.name", $"contains {named}, which is not allowed"), ("location.address", $"contains {named}, which is not allowed")],
            validation.Violations.Select(v => (v.Field, v.Description)));
    }
}
