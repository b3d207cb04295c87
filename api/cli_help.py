"""The help screens of `recueil` in French.

Typer draws them with English words of its own: panel titles, « [default: …] »,
« [required] » and the help option's « Show this message and exit. » (hard-coded in its
copy of click). The CLI speaks French to the person at it (api.cli_errors does the same for
usage errors), so these words are replaced once, before the command runs.
"""

from __future__ import annotations

from typer import rich_utils

try:  # typer ≥ 0.25 carries its own copy of click
    from typer._click.core import Command, Context
except ImportError:  # pragma: no cover - older typer uses click itself
    from click import Command, Context

HELP_OPTION = "Afficher cette aide et quitter."
# typer.rich_utils's module-level wording, read each time a help screen is drawn.
_WORDING = {
    "DEFAULT_STRING": "[par défaut : {}]",
    "ENVVAR_STRING": "[variable d’environnement : {}]",
    "REQUIRED_LONG_STRING": "[obligatoire]",
    "DEPRECATED_STRING": "(obsolète) ",
    "COMMANDS_PANEL_TITLE": "Commandes",
    "ERRORS_PANEL_TITLE": "Erreur",
    "ABORTED_TEXT": "Interrompu.",
    "RICH_HELP": "Voir [blue]« {command_path} {help_option} »[/] pour l’aide.",
}


def in_french(command: Command) -> Command:
    """`command` (and its subcommands) with French help screens."""
    for name, text in _WORDING.items():
        setattr(rich_utils, name, text)
    for each in _every(command):
        option = each.get_help_option(Context(each))
        if option is not None:
            option.help = HELP_OPTION
    return command


def _every(command: Command) -> list[Command]:
    below = getattr(command, "commands", {}).values()  # a group's subcommands
    return [command, *(c for sub in below for c in _every(sub))]
