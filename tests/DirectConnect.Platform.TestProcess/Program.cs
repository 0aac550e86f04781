using DirectConnect.Platform.TestProcess;

// Usage:
//   consume --db <file> --out <file> [--delay-ms N] [--lease-ms N] [--poll-ms N] [--subscription S] [--topic T]
//     hosts the SQLite dispatcher; the handler sleeps delay-ms, then appends the event id to --out (flushed).
//   publish --db <file> --count N [--batch K] [--progress-every P] [--delay-ms N] [--topic T]
//     commits transactions i = counter..N-1, each writing the states "item-{i}-{j}" (MustNotExist) and
//     "counter" = i + 1 together with the events "evt-{i}-{j}", j < K; prints
//     "ready {start}", "committed {i}" after every P-th commit and "done" at the end.
if (args.Length == 0)
{
    await Console.Error.WriteLineAsync("usage: consume|publish --db <file> ...");
    return 64;
}

var options = Arguments.Parse(args.AsSpan(1));
return args[0] switch
{
    "consume" => await Consumer.RunAsync(options),
    "publish" => await Publisher.RunAsync(options),
    _ => 64,
};
