using System.Runtime.Versioning;
using System.Security.Cryptography;
using DirectConnect.Contracts.V1;
using DirectConnect.Gateway.Security;
using Grpc.Core;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// Safe defaults on the host, on real processes: configuration comes from the application's
/// directory only, and the data directory and everything in it are the owner's only.
/// </summary>
[UnsupportedOSPlatform("windows")] // file modes; Windows keeps the profile's ACLs
public sealed class HostDefaultsTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "dc-host-" + Guid.NewGuid().ToString("N"));
    private readonly List<GatewayProcess> _processes = [];

    private string DataDirectory => Path.Combine(_root, "data");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<GatewayProcess> StartAsync(string? workingDirectory = null)
    {
        var process = await GatewayProcess.StartInAsync(workingDirectory ?? AppContext.BaseDirectory, DataDirectory);
        _processes.Add(process);
        return process;
    }

    private static Task<ListLocationsResponse> ListAsync(GatewayProcess process, string token) =>
        new LocationService.LocationServiceClient(process.Channel)
            .ListLocationsAsync(new ListLocationsRequest { Region = Seed.Region }, new Metadata { { "authorization", $"Bearer {token}" } }).ResponseAsync;

    [Fact]
    public async Task ASettingsFileInTheWorkingDirectoryCannotPlantASigningKey()
    {
        var workingDirectory = Directory.CreateDirectory(Path.Combine(_root, "cwd")).FullName;
        var planted = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await File.WriteAllTextAsync(Path.Combine(workingDirectory, "appsettings.json"), $$$"""{ "DirectConnect": { "Auth": { "SigningKey": "{{{planted}}}" } } }""");

        var process = await StartAsync(workingDirectory);

        var forged = new TokenIssuer(SigningKeyStore.FromBase64(planted, "test"), AuthOptions.EmbeddedIssuer, "directconnect", TimeProvider.System)
            .Issue("intruder", [Platform.Tenancy.Role.Operator], TimeSpan.FromHours(1));
        await RpcAssert.FailsWithoutStatus(StatusCode.Unauthenticated, () => ListAsync(process, forged));
        await ListAsync(process, Tokens.Issue(DataDirectory, "ops", "operator")); // the data directory's key is the one in force
    }

    [Fact]
    public async Task TheDataDirectoryAndEverythingInItAreTheOwnersOnly()
    {
        var process = await StartAsync();
        var token = Tokens.Issue(DataDirectory, "ops", "operator");
        await new LocationService.LocationServiceClient(process.Channel).CreateLocationAsync(new CreateLocationRequest
        {
            Region = Seed.Region, Location = new Location { Code = "MODE-1", Name = "modes" },
        }, new Metadata { { "authorization", $"Bearer {token}" } });

        // SQLite gives its -wal and -shm files the database's mode: they must be there to be checked.
        var files = Directory.EnumerateFiles(DataDirectory, "*", SearchOption.AllDirectories).Select(f => Path.GetFileName(f)).Order().ToArray();
        Assert.Equal(["agent-root.key", "bgp-auth-key-encryption.key", "directconnect.db", "directconnect.db-shm", "directconnect.db-wal", "token-signing.key"], files);
        AssertOwnerOnly(DataDirectory);
    }

    [Fact]
    public async Task AnExistingDataDirectoryOpenToOthersIsNarrowed()
    {
        var open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute |
                   UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        Directory.CreateDirectory(DataDirectory, open);
        File.SetUnixFileMode(DataDirectory, open); // whatever the umask
        var database = Path.Combine(DataDirectory, "directconnect.db");
        await File.WriteAllBytesAsync(database, []);
        File.SetUnixFileMode(database, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await StartAsync();

        AssertOwnerOnly(DataDirectory);
    }

    [Fact]
    public async Task ADataDirectoryHoldingOtherFilesIsLeftAsItIsWithAWarning()
    {
        var open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
        Directory.CreateDirectory(DataDirectory);
        File.SetUnixFileMode(DataDirectory, open);
        await File.WriteAllTextAsync(Path.Combine(DataDirectory, "notes.txt"), "someone else's");

        var process = await StartAsync();

        Assert.Equal(open, File.GetUnixFileMode(DataDirectory));
        Assert.Contains("holds 'notes.txt', which is not DirectConnect's", process.Output, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(DataDirectory, "directconnect.db")));
    }

    private static void AssertOwnerOnly(string directory)
    {
        const UnixFileMode ownerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        const UnixFileMode ownerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        foreach (var entry in Directory.EnumerateDirectories(directory, "*", SearchOption.AllDirectories).Prepend(directory))
        {
            Assert.True(File.GetUnixFileMode(entry) == ownerOnlyDirectory, $"{entry} is {File.GetUnixFileMode(entry)}");
        }

        foreach (var entry in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            Assert.True(File.GetUnixFileMode(entry) == ownerOnlyFile, $"{entry} is {File.GetUnixFileMode(entry)}");
        }
    }
}
