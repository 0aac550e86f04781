namespace DirectConnect.Cli.Requests;

/// <summary>What the person typed cannot become a request: each problem names its option. Exit code 2, nothing sent.</summary>
public sealed class InputException(IReadOnlyList<string> problems) : Exception(string.Join("; ", problems))
{
    /// <summary>One line per problem, e.g. <c>--bandwidth-mbps: "fast" is not a whole number</c>.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;

    /// <summary>One problem.</summary>
    public InputException(string problem)
        : this([problem])
    {
    }
}
