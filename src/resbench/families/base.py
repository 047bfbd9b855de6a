"""The Family contract: what one experiment family declares so that the shared machinery (workflow,
report, archive, compare, config hash) loops over families and names none of them.

A family lives in `families/<name>/`: `__init__.py` holds its `FAMILY` declaration (plain data, no
torch), `report.py` its report side (claims, section context, compare metrics, limitations; no
torch), `section.html.j2` its report section, and any measurement modules (torch side, no file I/O)
and `cli.py` verbs. Its rules are in `workflow/rules/<name>.smk`."""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType

# A family's report-side modules (no torch): what the report reads, so what makes it rerun.
REPORT_MODULES = ("__init__", "report", "claims", "regime", "figures", "plan", "catalog", "published")


@dataclass(frozen=True)
class Metric:
    """One number `resbench compare` reads from a family's archived tables, per seed."""
    name: str
    description: str
    sign: int  # +1 if larger is worse, -1 if larger is better
    gates: bool = False  # a significant regression makes `compare` exit 1
    percent: bool = True  # an error-like fraction, shown in percent (else a plain number)
    relative: bool = False  # a change counts beyond 10% of the base mean (timings), else beyond the threshold


@dataclass(frozen=True)
class Probe:
    """A measurement taken inside the depth grid's training runs: `factory(train_x, train_y,
    memory_format)` (imported lazily, torch side) returns a callable `probe(model, epoch)` giving
    table rows; the loop runs it at initialization, every `every_key` epochs and at the end."""
    name: str
    factory: str  # "module:function"
    every_key: str  # the setting of the family's config block that gives `every`


@dataclass(frozen=True)
class Family:
    name: str  # folder, section id, `results/<profile>/<name>/`
    order: int  # place in the report (and in claims.json)
    title: str  # the report's section heading and table-of-contents entry
    tables: dict[str, str]  # table key -> path under results/<profile>/ (.csv or .json)
    archived: tuple[str, ...] = ()  # table keys small enough to archive for `compare`
    required: tuple[str, ...] = ()  # table keys without which no report or comparison can be made
    metrics: tuple[Metric, ...] = ()  # computed by report.metric_samples from the archived tables
    config_key: str | None = None  # its block of the profile, if it has one
    # The bibliography entries of the papers this family tests (key -> reference); `citations` lists, in the
    # order its section cites them, keys of its own entries or of another family's (each entry is in one family).
    references: dict[str, str] = field(default_factory=dict)
    citations: tuple[str, ...] = ()
    probes: tuple[Probe, ...] = ()  # measurements taken inside the depth grid's training runs
    # (runs table, provenance table) of each set of runs the family trains: the report's provenance
    # (commits, versions, hardware, training time) covers them all.
    trained: tuple[tuple[str, str], ...] = ()
    # Every claim (and check) the family can decide, in report order: (id, kind, one-line statement).
    # A profile that does not run one still lists it in claims.json and the report, as not run here.
    claims: tuple[tuple[str, str, str], ...] = ()

    @property
    def template(self) -> str:
        return f"{self.name}/section.html.j2"

    def _optional(self, module: str) -> ModuleType | None:
        name = f"resbench.families.{self.name}.{module}"
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            return None

    def plan(self) -> ModuleType | None:
        """The family's plan module, if it has one: check(config) validates its block against the grid
        (called by config.validate_config); it may also plan training runs of its own (torch-free)."""
        return self._optional("plan")

    def cli(self) -> ModuleType | None:
        """The family's verbs, if it has any: register(subparsers) adds them to `resbench` (torch is
        imported by a verb when it runs, not when the parser is built)."""
        return self._optional("cli")

    def regime_criteria(self) -> dict[str, str]:
        """Each claim's regime criterion in words (`regime.CRITERIA`), stated even where it was not run."""
        return getattr(self._optional("regime"), "CRITERIA", {})

    def changes_after_data(self) -> tuple[str, ...]:
        """The family's rules changed after data were seen (`regime.CHANGES`), for Methods."""
        return getattr(self._optional("regime"), "CHANGES", ())

    def report(self) -> ModuleType:
        """The family's report module: claims(tables, config), section(tables, claim, config, save),
        metric_samples(tables) and limitations(config); optionally methods(config, tables) (Methods
        paragraphs) and overview(tables, config, claim) (the report's front matter: title, counts,
        provenance). Imported on first use (pandas, no torch)."""
        return importlib.import_module(f"resbench.families.{self.name}.report")
