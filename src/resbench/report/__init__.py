"""The report kit: what families draw on to state claims, draw figures and cite papers (verdicts,
style, archs, provenance), and the HTML/PDF templates; computed from tidy tables only
(never imports torch). The report itself is assembled by the hub (resbench.hub.report), which loops
over the families; nothing here imports a family."""
from importlib.resources import files

TEMPLATES = files("resbench") / "report" / "templates"
