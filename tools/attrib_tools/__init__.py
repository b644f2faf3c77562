"""attrib's tooling: the demo data and the benchmark, loaded only by `attrib demo`, `attrib demo-data`
and `attrib bench` (see attrib.cli.LAZY_COMMANDS). The runtime package `attrib` never imports it."""
