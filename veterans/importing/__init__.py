"""The one import engine (admin, clerk portal, management commands): all-or-nothing spreadsheet
imports, for the veteran registry and for any other row schema.

``run_import(schema=…, file_obj=…, filename=…, user=…, dry_run=…)`` reads an .xlsx or .csv file
and returns an ``ImportReport``: a file with a single bad row saves nothing, and the report names
every bad row (row number, column, value — ID and phone masked —, reason in Chinese). ``user`` is
the acting user, or a command's system actor (``canghzou_portal.access.system_actor``); rows must
lie in their jurisdiction. Every run is audited (``schema.audit_action``).

The package, one module per concern:

* ``files``    — file safety: size cap, type by content, macros, encryption, zip bombs, DTDs;
* ``reading``  — the table (header row, numbered rows) and ``Column``/``parse_cell`` for cells;
* ``checking`` — headers against the columns, ``Row`` (parsed values, ``row.error``), uniques;
* ``engine``   — ``Schema`` (the plug-in interface), ``run_import``, ``template_workbook``;
* ``writing``  — the registry's writer (COPY with history rows; ``bulk_insert_with_history``);
* ``report``   — ``ImportReport``, ``RowError``, ``ImportFileError``;
* ``staging``  — the two web steps (``preview_upload`` → ``confirm_staged``), ``UploadForm``;
* ``registry`` — the veteran registry's schema (``REGISTRY``), its template and export.

Plugging in a new row schema (e.g. the army's hand-over list, service points)::

    from veterans.importing import Column, Row, Schema, run_import, reading as r

    class ServicePointSchema(Schema):
        key = "support_points"                # staging files; letters, digits, "_"
        title = "拥军服务站点"                  # the template's sheet
        unit = "个服务站点"                     # "导入成功：共新增12个服务站点。"
        audit_action = "support_point_import"
        columns = (
            Column("统一社会信用代码", "credit_code", required=True),
            Column("站点名称", "name", required=True, max_length=100),
            Column("纬度", "latitude", r.DECIMAL, required=True),
            Column("经度", "longitude", r.DECIMAL, required=True),
            Column("联系电话", "phone", r.PHONE),
        )
        unique = ("name",)                    # "与第N行的站点名称重复"

        def prepare(self, *, user, write):     # once: reference data, the actor's reach
            return {"units": dict(Organization.objects.for_user(user).values_list("credit_code", "pk"))}

        def check_row(self, row: Row, ctx):   # per row, no queries
            if row.values["credit_code"] not in ctx["units"]:
                row.error("credit_code", "该单位不存在或不在您的辖区范围内")
            if not (-90 <= row.values["latitude"] <= 90):
                row.error("latitude", "纬度应在 -90 至 90 之间")
            return SupportPoint(organization_id=ctx["units"].get(row.values["credit_code"]), ...)

        def check_batch(self, rows, ctx):     # all good rows at once: a few IN queries
            taken = set(SupportPoint.objects.filter(name__in=[r.values["name"] for r in rows])
                        .values_list("name", flat=True))
            for row in rows:
                if row.values["name"] in taken:
                    row.error("name", "该站点已登记")

        def write(self, prepared, ctx, *, user, reason):  # inside the engine's transaction
            SupportPoint.objects.bulk_create(prepared, batch_size=1000)
            return len(prepared)

    SERVICE_POINTS = ServicePointSchema()
    report = run_import(schema=SERVICE_POINTS, file_obj=f, filename=f.name, user=request.user, dry_run=True)

Cells arrive parsed by kind (``reading``: TEXT, ID, PHONE, STATION, CHOICE, DATE, BOOL, INT,
DECIMAL, INT_CHOICE); the resident ID and mobile rules are ``veterans.validators``
(``parse_resident_id``, ``validate_mobile``). A web page stages the upload with
``staging.preview_upload(request, upload, schema=…)`` and imports it with
``staging.confirm_staged(request, token, schema=…)``; a command passes
``user=system_actor("<command>")``, prints ``report.as_text()`` and exits 1 when
``not report.ok``. ``template_workbook(schema)`` writes the empty template.
"""

from .checking import Row
from .engine import Schema, run_import, template_workbook
from .files import read_upload
from .reading import CellError, Column, parse_cell
from .registry import CSV_CONTENT_TYPE, REGISTRY, XLSX_CONTENT_TYPE, run_export
from .report import ImportFileError, ImportReport, RowError
from .writing import bulk_insert_with_history

__all__ = [
    "CSV_CONTENT_TYPE",
    "REGISTRY",
    "XLSX_CONTENT_TYPE",
    "CellError",
    "Column",
    "ImportFileError",
    "ImportReport",
    "Row",
    "RowError",
    "Schema",
    "bulk_insert_with_history",
    "parse_cell",
    "read_upload",
    "run_export",
    "run_import",
    "template_workbook",
]
