"""`rq cron usht_events.rq_cron`: run the worker's pass every WORKER_INTERVAL seconds (60).

The RQ worker is woken by every commit that queues mail; this tick runs the periodic
jobs (the automatic decisions, the reminders) when nothing else wakes it.
"""

import os

from rq import cron

from usht_events.rq_jobs import run_worker_pass

cron.register(
    run_worker_pass,
    queue_name=os.environ.get("OUTBOX_RQ_QUEUE", "usht-outbox"),
    interval=int(os.environ.get("WORKER_INTERVAL", "60")),
)
