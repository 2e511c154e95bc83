"""gunicorn settings of the portal: ``gunicorn -c gunicorn.conf.py canghzou_portal.wsgi``
(docs/deployment.md). Every value can be overridden on the command line.

The access log carries no query strings and no Referer: searches and exports put what was
searched for in the URL (``?q=…``), and a Referer repeats the previous page's full URL, so either
would write ID and phone numbers into the log files and everything that collects them.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
max_requests = 2000
max_requests_jitter = 200
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
# remote address, time, method, PATH ONLY (%(U)s, never %(r)s or %(q)s), protocol, status, bytes,
# milliseconds, user agent
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
