"""`memories-tui completion bash|zsh|fish`: a completion script for the shell.

The scripts are generated from the parser itself (its subcommands, flags and their
choices), so a new subcommand or flag completes without anyone editing a template.
Global flags complete before the subcommand, each subcommand's own flags after it,
and `--format` and the like offer their choices; `--dir` and `--config` complete paths.

    source <(memories-tui completion bash)     # in ~/.bashrc
    source <(memories-tui completion zsh)      # in ~/.zshrc, after compinit
    memories-tui completion fish > ~/.config/fish/completions/memories-tui.fish
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

TYPE_CHECKING = False
if TYPE_CHECKING:
    from memories_tui.commands.runtime import Runtime

HELP = "print a shell completion script (bash, zsh or fish)"
SHELLS = ("bash", "zsh", "fish")
PROG = "memories-tui"
#: Flags whose value is a path: the shell completes files there.
PATH_FLAGS = frozenset({"--config", "--dir", "--download-dir"})


def register(group: argparse.ArgumentParser) -> None:
    # The group is the command itself: `completion SHELL`.
    group.add_argument("shell", choices=SHELLS, metavar="SHELL", help="bash, zsh or fish")
    group.set_defaults(handler=print_script, needs_api=False)
    group.epilog = ("bash: source <(memories-tui completion bash); zsh: source <(memories-tui "
                    "completion zsh) after compinit; fish: memories-tui completion fish > "
                    "~/.config/fish/completions/memories-tui.fish")


@dataclass
class Option:
    flags: list[str]
    takes_value: bool
    choices: list[str]
    help: str


@dataclass
class Node:
    """One command (the program, a group, a subcommand): what may follow it."""

    words: list[tuple[str, str]] = field(default_factory=list)  # subcommands, choices
    options: list[Option] = field(default_factory=list)


def command_tree(parser: argparse.ArgumentParser) -> dict[str, Node]:
    """Every command of `parser` by its path (" videos list"; "" for the program)."""
    tree: dict[str, Node] = {}

    def walk(p: argparse.ArgumentParser, path: str) -> None:
        node = tree.setdefault(path, Node())
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                helps = {a.dest: a.help or "" for a in action._choices_actions}
                for name, sub in action.choices.items():
                    node.words.append((name, helps.get(name, "")))
                    walk(sub, f"{path} {name}")
            elif action.option_strings:
                if action.help == argparse.SUPPRESS:
                    continue
                # `completions`: values to offer for a flag that checks its own (--status).
                offered = action.choices or getattr(action, "completions", None)
                choices = [str(c) for c in offered] if offered else []
                node.options.append(Option(list(action.option_strings), action.nargs != 0,
                                           choices, (action.help or "").split(". ")[0].strip()))
            elif action.choices:
                node.words.extend((str(choice), "") for choice in action.choices)

    walk(parser, "")
    return tree


def _words(tree: dict[str, Node]) -> list[tuple[str, str, str]]:
    """(path, what, words) for the shell's lookup function: subs, opts, valued."""
    rows = []
    for path, node in tree.items():
        subs = " ".join(word for word, _ in node.words)
        opts = " ".join(flag for option in node.options for flag in option.flags)
        valued = " ".join(flag for option in node.options if option.takes_value
                          for flag in option.flags)
        for what, words in (("subs", subs), ("opts", opts), ("valued", valued)):
            if words:
                rows.append((path, what, words))
    return rows


def _choices(tree: dict[str, Node]) -> list[tuple[str, str, str]]:
    return [(path, flag, " ".join(option.choices))
            for path, node in tree.items() for option in node.options if option.choices
            for flag in option.flags]


def _case_functions(tree: dict[str, Node]) -> str:
    """The two lookup functions, in the syntax bash and zsh share."""
    fn = PROG.replace("-", "_")
    lines = [f"_{fn}_words() {{", '    case "$1|$2" in']
    lines += [f'        "{path}|{what}") echo "{words}" ;;' for path, what, words in _words(tree)]
    lines += ["    esac", "}", f"_{fn}_choices() {{", '    case "$1|$2" in']
    lines += [f'        "{path}|{flag}") echo "{words}" ;;'
              for path, flag, words in _choices(tree)]
    lines += ["    esac", "}", f'_{fn}_path_flags=" {" ".join(sorted(PATH_FLAGS))} "']
    return "\n".join(lines)


# The loop both shells run over the words before the cursor: it finds the command path
# (" videos list"), skipping each flag's value.
_WALK = """\
    for ((i = FIRST; i < LAST; i++)); do
        word="${WORDS[i]}"
        if ((skip)); then skip=0; continue; fi
        case "$word" in
            -*=*) ;;
            -*) [[ " $(_FN_words "$cmdpath" valued) " == *" $word "* ]] && skip=1 ;;
            *) [[ " $(_FN_words "$cmdpath" subs) " == *" $word "* ]] && cmdpath="$cmdpath $word" ;;
        esac
    done"""


def bash_script(tree: dict[str, Node]) -> str:
    fn = PROG.replace("-", "_")
    walk = (_WALK.replace("FIRST", "1").replace("LAST", "COMP_CWORD")
            .replace("WORDS", "COMP_WORDS").replace("_FN", f"_{fn}"))
    return f"""\
# bash completion for {PROG}; generated by `{PROG} completion bash`.
# Use: source <({PROG} completion bash)
{_case_functions(tree)}
_{fn}() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" cmdpath="" word i skip=0 choices prev
{walk}
    if ((skip)); then
        prev="${{COMP_WORDS[COMP_CWORD-1]}}"
        choices="$(_{fn}_choices "$cmdpath" "$prev")"
        if [[ -n "$choices" ]]; then
            COMPREPLY=($(compgen -W "$choices" -- "$cur"))
        elif [[ "$_{fn}_path_flags" == *" $prev "* ]]; then
            COMPREPLY=($(compgen -f -- "$cur"))
        else
            COMPREPLY=()
        fi
    elif [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$(_{fn}_words "$cmdpath" opts)" -- "$cur"))
    else
        COMPREPLY=($(compgen -W "$(_{fn}_words "$cmdpath" subs)" -- "$cur"))
    fi
}}
complete -F _{fn} {PROG}
"""


def zsh_script(tree: dict[str, Node]) -> str:
    fn = PROG.replace("-", "_")
    walk = (_WALK.replace("FIRST", "2").replace("LAST", "CURRENT")
            .replace("WORDS", "words").replace("_FN", f"_{fn}"))
    return f"""\
#compdef {PROG}
# zsh completion for {PROG}; generated by `{PROG} completion zsh`.
# Use: source <({PROG} completion zsh)   (after compinit)
{_case_functions(tree)}
_{fn}() {{
    local cur="${{words[CURRENT]}}" cmdpath="" word i skip=0 choices prev
{walk}
    if ((skip)); then
        prev="${{words[CURRENT-1]}}"
        choices="$(_{fn}_choices "$cmdpath" "$prev")"
        if [[ -n "$choices" ]]; then
            compadd -- ${{=choices}}
        elif [[ "$_{fn}_path_flags" == *" $prev "* ]]; then
            _files
        fi
    elif [[ "$cur" == -* ]]; then
        compadd -- ${{=$(_{fn}_words "$cmdpath" opts)}}
    else
        compadd -- ${{=$(_{fn}_words "$cmdpath" subs)}}
    fi
}}
compdef _{fn} {PROG}
"""


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def fish_script(tree: dict[str, Node]) -> str:
    fn = "__" + PROG.replace("-", "_")
    lines = [
        f"# fish completion for {PROG}; generated by `{PROG} completion fish`.",
        f"# Use: {PROG} completion fish > ~/.config/fish/completions/{PROG}.fish",
        f"function {fn}_words --argument-names cmdpath what",
        '    switch "$cmdpath|$what"',
    ]
    for path, what, words in _words(tree):
        lines += [f"        case {_fish_quote(f'{path}|{what}')}",
                  f"            printf '%s\\n' {words}"]
    lines += [
        "    end",
        "end",
        f"function {fn}_path",
        "    set -l cmdpath ''",
        "    set -l skip 0",
        "    for word in (commandline -opc)[2..-1]",
        "        if test $skip = 1",
        "            set skip 0",
        "            continue",
        "        end",
        "        switch $word",
        "            case '-*=*'",
        "            case '-*'",
        f'                if contains -- $word ({fn}_words "$cmdpath" valued)',
        "                    set skip 1",
        "                end",
        "            case '*'",
        f'                if contains -- $word ({fn}_words "$cmdpath" subs)',
        '                    set cmdpath "$cmdpath $word"',
        "                end",
        "        end",
        "    end",
        '    echo "$cmdpath"',
        "end",
        f"function {fn}_at --argument-names want",
        f"    set -l here ({fn}_path)",
        '    test "$here" = "$want"',
        "end",
        f"complete -c {PROG} -f",
    ]
    for path, node in tree.items():
        at = f"-n {_fish_quote(f'{fn}_at {_fish_quote(path)}')}"
        for word, help_text in node.words:
            desc = f" -d {_fish_quote(help_text)}" if help_text else ""
            lines.append(f"complete -c {PROG} {at} -a {_fish_quote(word)}{desc}")
        for option in node.options:
            names = " ".join(
                f"-l {flag[2:]}" if flag.startswith("--") else f"-s {flag[1:]}"
                for flag in option.flags
            )
            if option.choices:
                value = f" -x -a {_fish_quote(' '.join(option.choices))}"
            elif option.takes_value and set(option.flags) & PATH_FLAGS:
                value = " -r -F"
            elif option.takes_value:
                value = " -x"
            else:
                value = ""
            desc = f" -d {_fish_quote(option.help)}" if option.help else ""
            lines.append(f"complete -c {PROG} {at} {names}{value}{desc}")
    return "\n".join(lines) + "\n"


def script(shell: str, parser: argparse.ArgumentParser | None = None) -> str:
    if parser is None:
        from memories_tui.cli import build_parser

        parser = build_parser()
    tree = command_tree(parser)
    return {"bash": bash_script, "zsh": zsh_script, "fish": fish_script}[shell](tree)


def print_script(rt: Runtime, args: argparse.Namespace) -> int:
    rt.stdout.write(script(args.shell))
    return 0
