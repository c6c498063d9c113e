"""The nightly job as a reconstructable target, so Celery workers can load it by module name."""

import dagster as dg


def nightly_sync() -> dg.JobDefinition:
    """The code location's `nightly_sync` job."""
    from pipelines.definitions import defs

    return defs.resolve_job_def("nightly_sync")
