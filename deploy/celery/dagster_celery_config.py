"""Settings of the Celery workers that run egov-sync steps (`dagster_celery` imports this module by name).

Put this folder on the workers' PYTHONPATH; the broker is `EGOV_SYNC_CELERY_BROKER`, as for the runs.
"""

import os

broker_url = os.environ.get("EGOV_SYNC_CELERY_BROKER") or "pyamqp://guest@127.0.0.1:5672//"
result_backend = "rpc://"
worker_prefetch_multiplier = 1
