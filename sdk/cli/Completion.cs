using System.CommandLine;
using DirectConnect.Cli.Output;
using DirectConnect.Cli.Requests;

namespace DirectConnect.Cli;

/// <summary>
/// <c>dc completion bash|zsh</c>: a script for the shell that asks <c>dc</c> itself what may come next,
/// through System.CommandLine's <c>[suggest:POSITION]</c> directive, so completions always match the
/// commands this <c>dc</c> has (groups, verbs, options, and values such as states and vendors).
/// </summary>
public static class Completion
{
    private const string Bash = """
        # bash completion for dc: source <(dc completion bash), or save it to a file your ~/.bashrc sources.
        _dc_complete() {
          local IFS=$'\n'
          local candidates
          candidates=$("${COMP_WORDS[0]}" "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null) || return 0
          COMPREPLY=( $(compgen -W "${candidates}" -- "${COMP_WORDS[COMP_CWORD]}") )
        }
        complete -o default -F _dc_complete dc

        """;

    private const string Zsh = """
        #compdef dc
        # zsh completion for dc: source <(dc completion zsh) after compinit, or save it as _dc in a directory of $fpath.
        _dc() {
          local -a candidates
          candidates=("${(@f)$(${words[1]} "[suggest:${CURSOR}]" "${BUFFER}" 2>/dev/null)}")
          compadd -a candidates
        }
        if [[ "${funcstack[1]}" = "_dc" ]]; then _dc "$@"; else compdef _dc dc; fi

        """;

    /// <summary>The command.</summary>
    public static Command Command()
    {
        var shell = new Argument<string>("SHELL") { Description = "bash or zsh." };
        shell.CompletionSources.Add("bash", "zsh");
        var command = new Command("completion", "Prints a shell completion script: source <(dc completion bash), or source <(dc completion zsh).") { shell };
        command.SetAction(parsed =>
        {
            var script = parsed.GetValue(shell) switch
            {
                "bash" => Bash,
                "zsh" => Zsh,
                var other => throw new InputException($"SHELL: \"{other}\" is not bash or zsh"),
            };
            Console.Write(script);
            return ExitCodes.Ok;
        });
        return command;
    }
}
