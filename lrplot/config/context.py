"""The state of one check: the document being read, where its values came from, and the
optimizer the schedulers are checked against. Families see it as a ``CheckContext``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lrplot.config.yamlload import Document
from lrplot.errors import LrplotWarning, SpecError, close_match
from lrplot.families import family_for, keys
from lrplot.model import OptimizerSpec, SchedulerSpec
from lrplot.params import typename


class Checker:
    def __init__(
        self,
        doc: Document,
        base_dir: Path = Path("."),
        confine: bool = True,
        allow_import: Iterable[str] = (),
    ) -> None:
        self.doc = doc
        self.origins = doc.origins
        self.base_dir = base_dir
        self.confine = confine
        self.allow_import = frozenset(allow_import)
        self.optimizer = OptimizerSpec()
        self.notes: list[LrplotWarning] = []

    def fail(self, path: str, message: str, hint: str | None = None) -> SpecError:
        """A SpecError at ``path``: its YAML line, or the flag it came from."""
        shown, line = self.origins.locate(path)
        return SpecError(message, source=self.doc.source, path=shown or None, line=line, hint=hint)

    def name(self, path: str) -> str:
        return self.origins.name(path)

    def setting(self, path: str, value: str) -> str:
        """How the user sets ``path`` to ``value``: ``pad: last`` or ``--metric-pad last``."""
        return self.origins.setting(path, value)

    def note(self, path: str, message: str) -> None:
        """Say how a value was read, at ``path`` (its YAML line, or the flag it came from)."""
        shown, line = self.origins.locate(path)
        self.notes.append(LrplotWarning(message, source=self.doc.source, path=shown, line=line))

    def mapping(self, value: Any, path: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            what = "the top level" if not path else "this"
            raise self.fail(path, f"{what} must be a mapping (key: value), got {typename(value)}")
        for key in value:
            if key not in allowed:
                where = f"{path}.{key}" if path else key
                raise self.fail(
                    where, f"unknown key {key!r}", hint=close_match(key, allowed) or None
                )
        return value

    def scheduler(self, value: Any, path: str) -> SchedulerSpec:
        """A scheduler mapping of any family, chosen by its key (``type:``, ``recipe:``, ...)."""
        if isinstance(value, str):
            value = {"type": value}
        if not isinstance(value, dict):
            raise self.fail(
                path,
                f"must be a mapping such as {{type: cosine, T_max: 20}}, got {typename(value)}",
            )
        chosen = [key for key in keys() if key in value]
        if not chosen:
            raise self.fail(path, "missing key 'type' (the scheduler's class name or alias)")
        if len(chosen) > 1:
            raise self.fail(f"{path}.{chosen[1]}", f"give one of {', '.join(chosen)}, not both")
        return family_for(chosen[0], value[chosen[0]]).check(value, path, self)
