# resbench: plain vs residual networks of growing depth, from training to a paper-style report.
#   snakemake --cores all                               # quick profile (digits, CPU, ~9 min on 2 cores)
#   snakemake --cores all --configfile config/standard.yaml   # + what quick leaves out (README, Profiles)
#   snakemake --cores all --configfile config/paper.yaml
import time

from snakemake.utils import min_version

from resbench.hub.profile import named_after_file, validate_config

min_version("9.0")

START_TIME = time.time()


# The quick profile unless --configfile names another; profiles are not merged with each other.
if not workflow.config_settings.configfiles:

    configfile: f"{workflow.basedir}/config/quick.yaml"


# A profile file without `profile:` is named after the file, as `resbench config` names it.
if workflow.config_settings.configfiles:
    config.update(named_after_file(config, workflow.config_settings.configfiles[-1]))

# `--config compare_base=<key or rev>` names the other side of the `compare` rule; it is not part of
# the profile (so it changes no config hash and reruns nothing).
COMPARE_BASE = str(config.pop("compare_base", ""))

# Validated against workflow/schemas/config.schema.yaml, with defaults filled in; errors name the
# key and its allowed values (more readable than snakemake.utils.validate's).
config.update(validate_config(config))


report: "workflow/report/workflow.rst"


# Shared planning and data, one rule file per experiment family (src/resbench/families/<name>/), then
# the report, archive and compare, which loop over the families.
include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/depth.smk"
include: "workflow/rules/lesion.smk"
include: "workflow/rules/variants.smk"
include: "workflow/rules/landscape.smk"
include: "workflow/rules/signal.smk"
include: "workflow/rules/architectures.smk"
include: "workflow/rules/report.smk"


rule all:
    input:
        get_final_targets(),
        get_missing_targets,  # every planned file that is missing (removed, set aside as damaged) is made again
    default_target: True


onsuccess:
    print(f"resbench: workflow wall time {time.time() - START_TIME:.0f} s; report in {REPORTS}/")
