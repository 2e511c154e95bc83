"""axe-core accessibility audit of every page the browser journeys visit (issue 23).

How it works, so that no journey can forget it:

* ``watch(context)`` (called by the ``new_context`` fixture override in ``e2e/conftest.py``, which
  every ``context``/``page`` fixture goes through) routes the context's main-frame document
  requests through :meth:`Recorder.handle`: the document is fetched, kept (URL, method, status,
  headers, body, the page's viewport) and handed to the browser unchanged. Static files are not
  routed at all (the route's regular expression excludes ``/static/``; it is matched in the driver).
  Forms posted, redirects followed, error pages: every HTML document the page received is kept,
  however fast the journey moves on.
* After the test body has passed, ``e2e/conftest.py``'s ``pytest_runtest_call`` hook calls
  :func:`audit`: each kept document is replayed, byte for byte, in a separate page of the same
  browser context (same cookies, same viewport, the page's own CSS and JavaScript), axe-core from
  ``node_modules/axe-core/axe.min.js`` is injected into that page only (an init script, so never
  served to users and not subject to the portal's CSP), and the WCAG 2.x A/AA rules run twice: in
  the mode the page was rendered in and in the other one (关怀模式 is the class ``care-mode`` on
  ``<html>``; everything care mode changes hangs off that class, see ``static/css/portal.css``).
* Any violation of impact *serious* or *critical* fails the test with the rule, its help URL, and
  every offending node (CSS target, HTML, axe's failure summary).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path

AXE_JS = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA (axe's own tags).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
FAILING_IMPACTS = ("serious", "critical")
CARE_CLASS = "care-mode"
# Everything but static files (matched by the Playwright driver, so static files never reach Python).
ROUTED = re.compile(r"^(?!.*/static/).*$")

_RUN_AXE = """async ({tags, impacts}) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.filter(v => impacts.includes(v.impact)).map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html, summary: n.failureSummary || ""})),
  }));
}"""


@dataclasses.dataclass
class Document:
    url: str
    method: str
    status: int
    headers: dict[str, str]
    body: bytes | None  # None: the browser had dropped it; the audit loads the URL again
    viewport: dict | None

    @property
    def label(self) -> str:
        size = f"{self.viewport['width']}×{self.viewport['height']}" if self.viewport else "default viewport"
        return f"{self.method} {self.url} → {self.status} ({size})"


@dataclasses.dataclass
class Violation:
    document: Document
    mode: str
    rule: str
    impact: str
    help: str
    help_url: str
    nodes: list[dict]

    def describe(self) -> str:
        lines = [f"  [{self.impact}] {self.rule}: {self.help} ({self.help_url})"]
        for node in self.nodes:
            lines.append(f"      at {node['target']}")
            lines.append(f"         {node['html'][:300]}")
            for line in node["summary"].splitlines():
                lines.append(f"         {line}")
        return "\n".join(lines)


class AccessibilityError(AssertionError):
    pass


class Recorder:
    """Keeps every HTML document the pages of one browser context receive."""

    def __init__(self, context, *, javascript: bool = True):
        self.context = context
        self.javascript = javascript
        self.documents: list[Document] = []
        self.auditor_pages: set = set()
        self.closed = False
        context.on("close", lambda _: setattr(self, "closed", True))
        context.route(ROUTED, self.handle)
        # Playwright calls route handlers for the first URL of a navigation only, not for the
        # targets of its redirects (a posted form → 302 → the detail page): those are kept here.
        context.on("requestfinished", self.finished)
        context.on("request", self.started)
        context.on("requestfailed", self.failed)
        self.pending: set = set()  # redirect targets under way

    def started(self, request) -> None:
        if request.redirected_from is not None and self._main_document(request) is not None:
            self.pending.add(request)

    def failed(self, request) -> None:
        self.pending.discard(request)

    def settle(self, timeout_ms: int = 10_000) -> None:
        """Wait (dispatching events) until every redirect target under way has arrived."""
        pages = [p for p in self.context.pages if p not in self.auditor_pages and not p.is_closed()]
        waited = 0
        while self.pending and pages and waited < timeout_ms:
            pages[0].wait_for_timeout(50)
            waited += 50

    def _main_document(self, request):
        if request.resource_type != "document" or request.frame.parent_frame is not None:
            return None
        page = request.frame.page
        return None if page in self.auditor_pages else page

    def handle(self, route) -> None:
        request = route.request
        page = self._main_document(request)
        if page is None or not request.is_navigation_request():
            route.fallback()
            return
        response = route.fetch(max_redirects=0)
        body = response.body()
        if "text/html" in response.headers.get("content-type", ""):
            self.documents.append(
                Document(
                    url=request.url,
                    method=request.method,
                    status=response.status,
                    headers=dict(response.headers),
                    body=body,
                    viewport=page.viewport_size,
                )
            )
        route.fulfill(response=response, body=body)

    def finished(self, request) -> None:
        self.pending.discard(request)
        if request.redirected_from is None:
            return  # the first URL of a navigation went through handle()
        page = self._main_document(request)
        response = request.response() if page is not None else None
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            return
        try:
            body = response.body()
        except Exception:  # noqa: BLE001 - gone already: the audit fetches the URL again
            body = None
        self.documents.append(
            Document(
                url=request.url,
                method=request.method,
                status=response.status,
                headers=dict(response.headers),
                body=body,
                viewport=page.viewport_size,
            )
        )


def watch(context, *, javascript: bool = True) -> Recorder:
    """Record the documents ``context`` receives; ``javascript=False`` for a context made with
    ``java_script_enabled=False`` (axe needs JavaScript: its pages are audited in a context of their own)."""
    recorder = Recorder(context, javascript=javascript)
    context._axe_recorder = recorder  # noqa: SLF001 - found again by audit()
    return recorder


def audit(context) -> list[Violation]:
    """Replay every document kept for ``context`` and return its serious/critical violations."""
    recorder: Recorder | None = getattr(context, "_axe_recorder", None)
    if recorder is None:
        return []
    if not recorder.closed:
        for open_page in context.pages:  # let a navigation under way finish (and be recorded)
            try:
                open_page.wait_for_load_state("load", timeout=10_000)
            except Exception:  # noqa: BLE001, S112 - a page that never loads has nothing to audit
                continue
        recorder.settle()
    if not recorder.documents:
        return []
    # A test that closed its context still gets its pages checked, in a fresh context (no cookies);
    # so does one without JavaScript, whose cookies are copied over.
    own = None
    if recorder.closed or not recorder.javascript:
        own = context.browser.new_context()
        if not recorder.closed:
            own.add_cookies(context.cookies())
    page = (own or context).new_page()
    recorder.auditor_pages.add(page)
    try:
        return _audit_documents(page, recorder.documents)
    finally:
        page.close()
        if own is not None:
            own.close()


def _audit_documents(page, documents: list[Document]) -> list[Violation]:
    page.add_init_script(path=str(AXE_JS))
    current: dict[str, Document] = {}

    def serve(route) -> None:
        doc = current.get("doc")
        request = route.request
        if (
            doc is None
            or doc.body is None
            or request.resource_type != "document"
            or request.frame.parent_frame is not None
        ):
            route.fallback()
            return
        headers = {k: v for k, v in doc.headers.items() if k.lower() not in ("set-cookie", "content-length")}
        # A replayed redirect or error status would make the browser follow or stop; the body is what counts.
        route.fulfill(status=200, headers=headers, body=doc.body)

    page.route(ROUTED, serve)
    violations: list[Violation] = []
    seen: set[tuple[str, str]] = set()
    for doc in documents:
        if 300 <= doc.status < 400 or (doc.body is not None and not doc.body.strip()):
            continue
        key = (doc.url, hashlib.sha256(_without_tokens(doc.body or b"")).hexdigest())
        if key in seen:
            continue
        seen.add(key)
        current["doc"] = doc
        if doc.viewport:
            page.set_viewport_size(doc.viewport)
        page.goto(doc.url, wait_until="load")
        rendered_care = page.evaluate(f"document.documentElement.classList.contains('{CARE_CLASS}')")
        for toggle in (False, True):
            if toggle:
                page.evaluate(f"document.documentElement.classList.toggle('{CARE_CLASS}')")
            care = rendered_care != toggle
            for v in page.evaluate(_RUN_AXE, {"tags": WCAG_TAGS, "impacts": list(FAILING_IMPACTS)}):
                violations.append(
                    Violation(
                        document=doc,
                        mode="关怀模式" if care else "normal mode",
                        rule=v["id"],
                        impact=v["impact"],
                        help=v["help"],
                        help_url=v["helpUrl"],
                        nodes=v["nodes"],
                    )
                )
    current.clear()
    return violations


_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*|(nonce=")[^"]*')


def _without_tokens(body: bytes) -> bytes:
    return _TOKEN.sub(rb"\1\2", body)


def report(violations: list[Violation]) -> str:
    count = sum(len(v.nodes) for v in violations)
    lines = [
        f"axe-core {', '.join(FAILING_IMPACTS)} violations of {'/'.join(WCAG_TAGS)}: "
        f"{len(violations)} rule failure(s), {count} node(s)"
    ]
    by_page: dict[tuple[str, str], list[Violation]] = {}
    for v in violations:
        by_page.setdefault((v.document.label, v.mode), []).append(v)
    for (label, mode), items in by_page.items():
        lines.append(f"{label}, {mode}:")
        lines.extend(v.describe() for v in items)
    return "\n".join(lines)


def check(contexts) -> None:
    """Audit every watched context; raise AccessibilityError listing all violations."""
    violations: list[Violation] = []
    for context in contexts:
        violations.extend(audit(context))
    if violations:
        raise AccessibilityError(report(violations))
