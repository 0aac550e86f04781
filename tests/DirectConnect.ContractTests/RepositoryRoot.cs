namespace DirectConnect.ContractTests;

internal static class RepositoryRoot
{
    /// <summary>The checkout's root: the first ancestor of the test binaries that holds DirectConnect.sln.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "DirectConnect.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("DirectConnect.sln not found above " + AppContext.BaseDirectory);
    }
}
