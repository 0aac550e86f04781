using System.Buffers;
using System.Globalization;
using System.Text;

namespace DirectConnect.Platform.Text;

/// <summary>
/// The characters that change how text looks rather than what it says: control characters (Cc:
/// CR, LF, ESC, NUL…), format characters (Cf: the bidi overrides and isolates, zero-width
/// characters…), line and paragraph separators (Zl, Zp) and unpaired surrogates. A name holding
/// one can read differently from what it is (<c>invoice\u202Efdp.exe</c> shows as
/// <c>invoiceexe.pdf</c>) and, echoed into a log, can forge lines or drive the terminal. Typed text
/// refuses them (<see cref="Errors.RequestValidation"/>); everything echoed escapes them (<see cref="Escape"/>).
/// </summary>
public static class UnsafeCharacters
{
    /// <summary>The first unsafe character of <paramref name="text"/>, or null when there is none.</summary>
    public static UnsafeCharacter? FindFirst(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (var i = 0; i < text.Length;)
        {
            var (kind, codePoint, length) = Classify(text.AsSpan(i));
            if (kind is not null)
            {
                return new UnsafeCharacter(codePoint, kind);
            }

            i += length;
        }

        return null;
    }

    /// <summary>
    /// <paramref name="text"/> with every unsafe character written as its code point in text
    /// (<c>\u001B</c>, <c>\U000E0001</c>), so nothing echoed can start a line, move the cursor or
    /// reorder what is around it. With <paramref name="keepLineFeeds"/>, LF stays (for multi-line
    /// text such as a stack trace, where the caller indents what follows it).
    /// </summary>
    public static string Escape(string? text, bool keepLineFeeds = false)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        StringBuilder? escaped = null;
        var copied = 0;
        for (var i = 0; i < text.Length;)
        {
            var (kind, codePoint, length) = Classify(text.AsSpan(i));
            if (kind is not null && !(keepLineFeeds && codePoint == '\n'))
            {
                escaped ??= new StringBuilder(text.Length + 16);
                escaped.Append(text, copied, i - copied).Append(Notation(codePoint, escapeForm: true));
                copied = i + length;
            }

            i += length;
        }

        return escaped is null ? text : escaped.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary><c>U+202E</c>, or with <paramref name="escapeForm"/> <c>\u202E</c> (<c>\U0001XXXX</c> beyond the BMP).</summary>
    private static string Notation(int codePoint, bool escapeForm) =>
        escapeForm
            ? codePoint <= 0xFFFF ? string.Create(CultureInfo.InvariantCulture, $"\\u{codePoint:X4}") : string.Create(CultureInfo.InvariantCulture, $"\\U{codePoint:X8}")
            : string.Create(CultureInfo.InvariantCulture, $"U+{codePoint:X4}");

    private static (string? Kind, int CodePoint, int Length) Classify(ReadOnlySpan<char> text)
    {
        if (Rune.DecodeFromUtf16(text, out var rune, out var length) != OperationStatus.Done)
        {
            return ("an unpaired surrogate", text[0], 1);
        }

        var kind = Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.Control => "a control character",
            UnicodeCategory.Format => "a format character",
            UnicodeCategory.LineSeparator => "a line separator",
            UnicodeCategory.ParagraphSeparator => "a paragraph separator",
            _ => null,
        };
        return (kind, rune.Value, length);
    }

    /// <summary>An unsafe character found in text: its code point and what kind of character it is.</summary>
    public sealed record UnsafeCharacter(int CodePoint, string Kind)
    {
        /// <summary>E.g. <c>U+202E (a format character)</c>.</summary>
        public override string ToString() => $"{Notation(CodePoint, escapeForm: false)} ({Kind})";
    }
}
