"""The hub: the code that loops over the experiment families (their registry, resbench.families) and
hands each what it needs. It sits on top: the profile's full validation (resbench.hub.profile), the
report (resbench.hub.report), archiving and comparing result sets (resbench.hub.results) and the
`resbench` command (resbench.cli).

Below it, the shared machinery (config, data, models, train, trained, results, stats, and the report
kit in resbench.report that families draw on) imports no family and no registry, at module level or
inside a function; tests/test_imports.py fails on any such edge."""
