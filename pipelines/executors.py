"""The executor of every job: in process by default; multiprocess or Celery workers when run config asks.

One run of the nightly job is a chain of SQL-heavy steps that share nothing but the warehouse, so running
them in the run worker's process costs no step start-up at all. Scale-out is a run-config choice:

    execution:
      config:
        celery: {}            # or multiprocess: {max_concurrent: 2}

`EGOV_SYNC_EXECUTOR` (in_process, multiprocess or celery) in the environment of the code location changes
the default for runs whose config names none, e.g. scheduled and sensor runs. The Celery broker comes from
`EGOV_SYNC_CELERY_BROKER` unless the run config names one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import dagster as dg
from dagster_celery.executor import CELERY_CONFIG

from core.environment import DEFAULT_CELERY_BROKER, read_environment

__all__ = ["DEFAULT_CELERY_BROKER", "celery_broker_url", "default_executor", "egov_sync_executor"]
IN_PROCESS = "in_process"
MULTIPROCESS = "multiprocess"
CELERY = "celery"


def default_executor() -> str:
    """The executor of runs whose config chooses none: `EGOV_SYNC_EXECUTOR`, else in process."""
    return read_environment().executor


def celery_broker_url() -> str:
    """The broker steps are sent through: `EGOV_SYNC_CELERY_BROKER`, else the local RabbitMQ."""
    return read_environment().celery_broker


def executor_requirements(config: Mapping[str, object]) -> Sequence[dg.ExecutorRequirement]:
    """Steps in other processes need a reconstructable job and a persistent instance."""
    return [] if IN_PROCESS in config else dg.multiple_process_executor_requirements()


def delegate(context: dg.InitExecutorContext, executor_def: dg.ExecutorDefinition,
             config: Mapping[str, object]) -> dg.Executor:
    """Build the chosen executor with its own (already validated) config."""
    inner = dg.InitExecutorContext(
        job=context.job, executor_def=executor_def, executor_config=config, instance=context.instance
    )
    return executor_def.executor_creation_fn(inner)  # type: ignore[misc]


@dg.executor(
    name="egov_sync_executor",
    config_schema=dg.Field(
        dg.Selector(
            {
                IN_PROCESS: dg.in_process_executor.config_schema.as_field(),
                MULTIPROCESS: dg.multiprocess_executor.config_schema.as_field(),
                CELERY: dg.Field(CELERY_CONFIG),
            }
        ),
        default_value={default_executor(): {}},
    ),
    requirements=executor_requirements,
)
def egov_sync_executor(context: dg.InitExecutorContext) -> dg.Executor:
    """In process unless the run config (or `EGOV_SYNC_EXECUTOR`) selects `multiprocess` or `celery`."""
    config = context.executor_config
    if CELERY in config:
        from dagster_celery import celery_executor

        celery_config = dict(config[CELERY])  # type: ignore[call-overload]
        celery_config["broker"] = celery_config.get("broker") or celery_broker_url()
        return delegate(context, celery_executor, celery_config)
    if MULTIPROCESS in config:
        return delegate(context, dg.multiprocess_executor, config[MULTIPROCESS])  # type: ignore[arg-type]
    return delegate(context, dg.in_process_executor, config[IN_PROCESS])  # type: ignore[arg-type]
