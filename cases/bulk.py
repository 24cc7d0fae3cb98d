"""The bulk files: the whole published catalogue as CSV, XLSX and JSON, with a Frictionless data
package that describes every column in both languages, built into ``settings.BULK_FILES_DIR``.

``manage.py build_bulk_files`` builds them when the catalogue's version has changed since the
last build (``--force``: always). Each file is written beside its old version and moved over it
in one step, so a download never sees half a file. ``manifest.json`` records what was built:
the catalogue version, when, how many rows, and each file's size and SHA-256 (its ETag).
Served by ``cases.views.bulk_file`` at stable addresses (/data/files/<name>), no database read.
"""

import csv
import datetime
import hashlib
import json
import os
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.encoding import force_str

from cases.models import Case, CatalogueVersion
from cases.tables import CaseTable
from servtrade.exports import TableExport, neutralise, write_xlsx

NAME = "servtrade-cases"
MANIFEST = "manifest.json"
FILES = {
    f"{NAME}.csv": "text/csv",
    f"{NAME}.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    f"{NAME}.json": "application/json",
    "datapackage.json": "application/json",
}
LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}


def bulk_dir():
    return Path(settings.BULK_FILES_DIR)


def read_manifest():
    """What the last build recorded, or None before the first build."""
    try:
        return json.loads((bulk_dir() / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def site_request():
    """A request for the public site's address, so that permalinks are absolute."""
    site = urlsplit(settings.SITE_URL)
    request = HttpRequest()
    request.META = {
        "HTTP_HOST": site.netloc,
        "SERVER_NAME": site.hostname,
        "SERVER_PORT": str(site.port or (443 if site.scheme == "https" else 80)),
    }
    if site.scheme == "https":
        request.META["HTTP_X_FORWARDED_PROTO"] = "https"
    return request


def export_of_catalogue():
    """The published catalogue through the case list's own table and download columns."""
    cases = Case.objects.published().listed().with_adoption_counts()
    table = CaseTable(cases, request=site_request())
    return TableExport(TableExport.CSV, table)


def build(force=False):
    """Build the files if the catalogue changed since the last build; returns the manifest, or
    None when the files were up to date already."""
    version = CatalogueVersion.objects.current()
    manifest = read_manifest()
    if not force and manifest and version and manifest["version"] == version:
        return None
    directory = bulk_dir()
    directory.mkdir(parents=True, exist_ok=True)
    with translation.override("en"):
        export = export_of_catalogue()
        names = [column.name for column in export.columns]
        rows = write_data_files(directory, names, export.rows())
        write_atomically(
            directory / "datapackage.json",
            lambda file: file.write(json.dumps(datapackage(names), ensure_ascii=False, indent=2)),
            mode="w",
        )
    files = {}
    for name, media_type in FILES.items():
        path = directory / name
        files[name] = {
            "size": path.stat().st_size,
            "sha256": sha256(path),
            "media_type": media_type,
        }
    manifest = {
        "version": version,
        "built_at": timezone.now().isoformat(timespec="seconds"),
        "rows": rows,
        "license": LICENSE,
        "files": files,
    }
    write_atomically(
        directory / MANIFEST, lambda file: file.write(json.dumps(manifest, indent=2)), mode="w"
    )
    return manifest


def write_data_files(directory, names, rows):
    """CSV, XLSX and JSON in one pass over the rows; returns how many rows were written."""
    temporary = {name: directory / f".{name}.tmp" for name in FILES if name.startswith(NAME)}
    count = 0
    with (
        open(temporary[f"{NAME}.csv"], "w", encoding="utf-8-sig", newline="") as csv_file,
        open(temporary[f"{NAME}.json"], "w", encoding="utf-8") as json_file,
    ):
        writer = csv.writer(csv_file)
        writer.writerow(names)
        json_file.write("[")

        def each_row():
            nonlocal count
            for row in rows:
                json_file.write(("," if count else "") + "\n")
                json_file.write(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False))
                safe = [neutralise(value) for value in row]
                writer.writerow(safe)
                count += 1
                yield safe

        with open(temporary[f"{NAME}.xlsx"], "wb") as xlsx_file:
            write_xlsx(xlsx_file, names, each_row())
        json_file.write("\n]\n")
    for name, path in temporary.items():
        os.replace(path, directory / name)
    return count


def write_atomically(path, write, mode="wb"):
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, mode, **({"encoding": "utf-8"} if "b" not in mode else {})) as file:
        write(file)
    os.replace(temporary, path)


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def datapackage(names):
    """A Frictionless data package: the resources, every field's type and meaning (English in
    the standard properties, Chinese in ``title_zh``/``description_zh``), and the licence."""
    fields = []
    for name in names:
        # Declared with the column itself (CaseTable), so a new column is one declaration.
        kind, english, chinese = CaseTable.base_columns[name].data
        with translation.override("en"):
            title_en = force_str(CaseTable.base_columns[name].verbose_name)
        with translation.override("zh-hans"):
            title_zh = force_str(CaseTable.base_columns[name].verbose_name)
        field = {
            "name": name,
            "type": kind,
            "title": title_en,
            "title_zh": title_zh,
            "description": english,
            "description_zh": chinese,
        }
        if kind == "date":
            field["format"] = "%Y-%m-%d"
        if name in ("source_url", "permalink"):
            field["format"] = "uri"
        fields.append(field)
    schema = {"fields": fields}
    return {
        "profile": "tabular-data-package",
        "name": NAME,
        "title": "servtrade: best practice cases of China's trade in services pilot",
        "title_zh": "服务贸易创新发展试点最佳实践案例库",
        "description": (
            "Every published case of servtrade's catalogue of China's pilot program for the "
            "innovative development of trade in services, with both languages' titles, regions "
            "and sectors. Summaries are servtrade's own words; the official sources are linked."
        ),
        "description_zh": (
            "servtrade 收录的全部已发布服务贸易创新发展试点案例，含中英文标题、地区和部门。"
        ),
        "homepage": settings.SITE_URL,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "licenses": [LICENSE],
        "resources": [
            {
                "name": f"{NAME}-csv",
                "path": f"{NAME}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "dialect": {"delimiter": ",", "doubleQuote": True, "header": True},
                "schema": schema,
            },
            {
                "name": f"{NAME}-json",
                "path": f"{NAME}.json",
                "format": "json",
                "mediatype": "application/json",
                "schema": schema,
            },
            {
                "name": f"{NAME}-xlsx",
                "path": f"{NAME}.xlsx",
                "format": "xlsx",
                "mediatype": FILES[f"{NAME}.xlsx"],
                "schema": schema,
            },
        ],
    }
