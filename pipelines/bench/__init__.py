"""`coop bench`: measure the refresh, its scaling with event volume and the heaviest SQL step.

synthetic.py writes labelled-synthetic raw inputs at k times the shipped event volume;
measure.py runs `coop refresh` as a subprocess in a scratch project and records wall time,
CPU time and peak memory; baselines.py times the joint-IGO self-join three ways; report.py
renders the figures and fits growth exponents; runner.py puts it together.  Nothing here
reads or writes the project's own marts/ or raw/.
"""

from pipelines.errors import CoopError


class BenchError(CoopError):
    """The benchmark cannot run as asked (bad option, failed refresh, unusable work directory)."""
