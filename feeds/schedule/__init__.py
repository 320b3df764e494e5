"""The ``feeds schedule`` service: builds and digests on time, unattended.

APScheduler 3.x is used only inside this package, and the package holds no business logic:
every job calls the same function as the CLI (``feeds.build.run_build``,
``feeds.digest.run.run_digest``) with the scheduled fire time as ``now``.

Modules: ``triggers`` (config → jobs and triggers), ``catchup`` (missed runs at start-up),
``state`` (SQLite memory of last runs), ``runner`` (run, time, log, record one job),
``executor`` (APScheduler executor passing the fire time), ``service`` (start/stop, lock,
watcher), ``lock``, ``logs``, ``status``, ``watch``.
"""

from feeds.schedule.service import SchedulerService

__all__ = ["SchedulerService"]
