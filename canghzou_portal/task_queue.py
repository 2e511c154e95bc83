"""Putting Celery tasks on the queue with a clear error when the broker (Redis) is down.

Settings make publishing give up within a few seconds (CELERY_BROKER_CONNECTION_TIMEOUT,
CELERY_TASK_PUBLISH_RETRY_POLICY); ``enqueue`` turns kombu's OperationalError into
``TaskQueueUnavailable`` with a Chinese message a view can show.
"""

from __future__ import annotations

import logging

from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = (
    "后台任务队列暂不可用（Redis 未连接），任务未能提交，数据未作任何改动。请稍后重试或联系系统管理员。"
)


class TaskQueueUnavailable(RuntimeError):
    def __init__(self, message: str = UNAVAILABLE_MESSAGE):
        super().__init__(message)


def enqueue(task, *args, **kwargs):
    """``task.apply_async(args, kwargs)``; raises TaskQueueUnavailable when the broker cannot be reached."""
    try:
        return task.apply_async(args=args, kwargs=kwargs)
    except OperationalError as exc:
        logger.error("task %s not queued: broker unavailable (%s)", getattr(task, "name", task), exc)
        raise TaskQueueUnavailable() from exc
