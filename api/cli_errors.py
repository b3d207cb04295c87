"""Usage errors in French: the `recueil` command speaks French to the person at it.

Typer (through its copy of click) words these in English; the CLI (api.cli.main) catches
them and prints one French line instead. A bad value's reason comes from pydantic when
typer checked it there (a number out of range): it is worded as the API words it
(api.messages), so the command line and the HTTP API say the same thing.
"""

from __future__ import annotations

import re

from api.messages import validation_problem

try:  # typer ≥ 0.25 carries its own copy of click
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older typer uses click itself
    from click import exceptions as click_errors

UsageError = click_errors.UsageError
ClickException = click_errors.ClickException
NoArgsIsHelpError = click_errors.NoArgsIsHelpError

# Click's wording of the value problems a person meets with Recueil's options.
_VALUE_PROBLEMS = [
    (
        re.compile(r"^'?(.*?)'? is not a valid integer(?: range)?\.?$"),
        "« {0} » : nombre entier attendu",
    ),
    (re.compile(r"^(.*) is not in the range (.*)\.$"), "{0} n’est pas dans l’intervalle {1}"),
    (re.compile(r"^'?(.*?)'? is not one of (.*)\.$"), "« {0} » n’est pas parmi {1}"),
    (re.compile(r"^Path '(.*)' does not exist\.$"), "le chemin « {0} » n’existe pas"),
]


# Click's wording of an option used the wrong way (its parser words them in English).
_USAGE_PROBLEMS = [
    (re.compile(r"^Option '(.*)' requires an argument\.$"), "l’option {0} attend une valeur"),
    (re.compile(r"^Option '(.*)' requires (\d+) arguments\.$"), "l’option {0} attend {1} valeurs"),
    (re.compile(r"^Option '(.*)' does not take a value\.$"), "l’option {0} ne prend pas de valeur"),
]


def usage_message(exc: UsageError) -> str:
    """What went wrong on the command line, in French, naming the option or argument."""
    if isinstance(exc, click_errors.MissingParameter):
        kind = "option manquante" if exc.param_type == "option" else "argument manquant"
        return f"{kind} : {_hint(exc)}"
    if isinstance(exc, click_errors.BadParameter):
        return f"valeur invalide pour {_hint(exc)} : {_value_problem(exc)}"
    if isinstance(exc, click_errors.NoSuchOption):
        known = (
            f" (vouliez-vous dire {', '.join(exc.possibilities)} ?)" if exc.possibilities else ""
        )
        return f"option inconnue : {exc.option_name}{known}"
    if exc.message == "Missing command.":
        return "commande manquante"
    unknown_command = re.match(r"^No such command '(.*)'\.$", exc.message)
    if unknown_command:
        return f"commande inconnue : {unknown_command[1]}"
    extra = re.match(r"^Got unexpected extra arguments? \((.*)\)$", exc.message)
    if extra:
        return f"argument(s) en trop : {extra[1]}"
    return _in_french(exc.message, _USAGE_PROBLEMS)


def _hint(exc: click_errors.BadParameter) -> str:
    """The option's flags (`--k` / `-k`) or the argument's name, as the user typed them."""
    if exc.param_hint:
        return str(exc.param_hint)
    if exc.param is None:
        return "?"
    names = exc.param.opts or [exc.param.human_readable_name]
    return " / ".join(names)


def _value_problem(exc: click_errors.BadParameter) -> str:
    cause = exc.__cause__
    if hasattr(cause, "errors"):  # pydantic's ValidationError: worded as the API words it
        return validation_problem({**cause.errors()[0], "loc": ("value",)}, "fr").split(": ", 1)[1]
    return _in_french(exc.message, _VALUE_PROBLEMS)


def _in_french(message: str, wordings: list[tuple[re.Pattern[str], str]]) -> str:
    """Click's English `message` in the French of the first wording that matches it, else
    as click wrote it."""
    for pattern, french in wordings:
        found = pattern.match(message)
        if found:
            return french.format(*found.groups())
    return message
