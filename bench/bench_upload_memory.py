"""Benchmark: the peak memory of uploads, the largest within the limits and beyond.

    python bench/bench_upload_memory.py [--case NAME]

Each case posts one file through Django's request handling, as a browser
would (a multipart body read from disk, never held whole in memory by the
benchmark), in a process of its own, and reports that process's peak resident
memory (target: under 500 MB for every upload, refused or accepted). Without a
task worker the background check of a large upload runs in the same request,
so its memory is counted too.

Cases: a CSV of 400 MB (over the 50 MB limit); a workbook of 1.1 million rows
(32 MB, inside the archive limits); a workbook and a CSV of 200,000 rows
(the row limit); workbooks of ten rows and one cell at Z1000000, for an import
and as a factor file; a factor workbook of a million rows and a factor CSV of
25 MB (the factor upload limit); an OpenDocument factor sheet of one row
repeated a million times.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MB = 500
BOUNDARY = "----carbonledger-bench-boundary"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)


def _workbook_xml(sheet: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships"><sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    )


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def write_xlsx(
    path: Path,
    sheet: str,
    header: list[str],
    rows,
    far_cell: tuple[int, int] | None = None,
) -> None:
    """Write a workbook as a spreadsheet program would, streamed row by row.

    Text goes to the shared strings, numbers stay numbers; `rows` yields lists.
    `far_cell` (row, column) adds one cell far below and to the right: a few
    bytes that stretch the sheet's used area.
    """
    strings: dict[str, int] = {}

    def cell(ref: str, value) -> str:
        if isinstance(value, str):
            index = strings.setdefault(value, len(strings))
            return f'<c r="{ref}" t="s"><v>{index}</v></c>'
        return f'<c r="{ref}"><v>{value}</v></c>'

    letters = [_column(i) for i in range(40)]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", _workbook_xml(sheet))
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData>'
            )
            batch = []
            for number, values in enumerate([header, *rows], start=1):
                cells = "".join(
                    cell(f"{letters[i]}{number}", v)
                    for i, v in enumerate(values)
                    if v is not None
                )
                batch.append(f'<row r="{number}">{cells}</row>')
                if len(batch) == 10_000:
                    out.write("".join(batch).encode())
                    batch = []
            out.write("".join(batch).encode())
            if far_cell is not None:
                row, column = far_cell
                far = cell(f"{_column(column)}{row}", 1)
                out.write(f'<row r="{row}">{far}</row>'.encode())
            out.write(b"</sheetData></worksheet>")
        shared = "".join(
            f"<si><t>{text}</t></si>"
            for text, _i in sorted(strings.items(), key=lambda i: i[1])
        )
        archive.writestr(
            "xl/sharedStrings.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{len(strings)}" uniqueCount="{len(strings)}">{shared}</sst>',
        )


ACTIVITY_HEADER = [
    "business_unit",
    "year",
    "activity",
    "quantity",
    "unit",
    "period_start",
    "period_end",
    "data_quality",
    "comment",
    "source_reference",
]


def activity_rows(count: int):
    for n in range(count):
        yield [
            "OSL",
            2024,
            "electricity",
            1000 + n % 9000,
            "kWh",
            None,
            None,
            "measured",
            None,
            f"inv-{n}",
        ]


def make_files(folder: Path, wanted: str | None) -> dict[str, tuple[str, Path, dict]]:
    """Write the cases' files; return {case: (url name, path, form fields)}.

    With `wanted`, only the cases whose name holds it.
    """
    cases: dict[str, tuple[str, Path, dict]] = {}

    def case(name: str, file_name: str, url_name: str, fields: dict, write) -> None:
        if wanted is None or wanted.lower() in name.lower():
            path = folder / file_name
            write(path)
            cases[name] = (url_name, path, fields)

    def big_csv(path: Path) -> None:
        line = b"OSL,2024,electricity,12345,kWh,,,measured,a comment to fill,ref\n"
        with path.open("wb") as out:
            out.write(",".join(ACTIVITY_HEADER).encode() + b"\n")
            block = line * 100_000
            while out.tell() < 400 * 1024 * 1024:
                out.write(block)

    def rows_csv(path: Path) -> None:
        with path.open("w") as out:
            out.write(",".join(ACTIVITY_HEADER) + "\n")
            for values in activity_rows(200_000):
                out.write(",".join("" if v is None else str(v) for v in values))
                out.write("\n")

    header = ["key", "category", "name", "unit", "kg_co2e_per_unit", "valid_year"]

    def factor_rows(count: int):
        return ([f"k{n}", "c", "n", "kWh", 0.1, 2024] for n in range(count))

    def factor_csv(path: Path) -> None:
        with path.open("w") as out:
            out.write(",".join(header) + "\n")
            n = 0
            while out.tell() < 25 * 1024 * 1024 - 200:
                out.write(f"key-{n},Fuels,Fuel {n},kWh,0.{n % 1000:03d},2024\n")
                n += 1

    def repeated_ods(path: Path) -> None:
        table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
        row = (
            '<table:table-row table:number-rows-repeated="1000000">'
            '<table:table-cell table:number-columns-repeated="26" '
            'office:value-type="float" office:value="1"><text:p>1</text:p>'
            "</table:table-cell></table:table-row>"
        )
        content = (
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            f'xmlns:table="{table}" xmlns:text="urn:oasis:names:tc:opendocument:'
            'xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>'
            f'<table:table table:name="Factors">{row}</table:table>'
            "</office:spreadsheet></office:body></office:document-content>"
        )
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr(
                "mimetype", "application/vnd.oasis.opendocument.spreadsheet"
            )
            archive.writestr("content.xml", content)
            archive.writestr(
                "META-INF/manifest.xml",
                '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type='
                '"application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>',
            )

    activities = ("import_upload", {})
    factors = ("factor_set_upload", {"publisher": "generic", "name": "Bench"})
    case("CSV of 400 MB (over the 50 MB limit)", "big.csv", *activities, big_csv)
    case(
        "Workbook of 1.1 million rows",
        "rows-1100000.xlsx",
        *activities,
        lambda path: write_xlsx(
            path, "Activities", ACTIVITY_HEADER, activity_rows(1_100_000)
        ),
    )
    case(
        "Workbook of 200,000 rows (the limit)",
        "rows-200000.xlsx",
        *activities,
        lambda path: write_xlsx(
            path, "Activities", ACTIVITY_HEADER, activity_rows(200_000)
        ),
    )
    case("CSV of 200,000 rows (the limit)", "rows-200000.csv", *activities, rows_csv)
    case(
        "Workbook of 10 rows spanning A1:Z1000000",
        "rows-spanning.xlsx",
        *activities,
        lambda path: write_xlsx(
            path,
            "Activities",
            ACTIVITY_HEADER,
            activity_rows(10),
            far_cell=(1_000_000, 25),
        ),
    )
    case(
        "Factor workbook of 10 rows spanning A1:Z1000000",
        "factors-spanning.xlsx",
        *factors,
        lambda path: write_xlsx(
            path, "Factors", header, factor_rows(10), far_cell=(1_000_000, 25)
        ),
    )
    case(
        "Factor workbook of a million rows",
        "factors-million.xlsx",
        *factors,
        lambda path: write_xlsx(path, "Factors", header, factor_rows(1_000_000)),
    )
    case("Factor CSV of 25 MB (the limit)", "factors.csv", *factors, factor_csv)
    case(
        "Factor OpenDocument sheet of one row repeated a million times",
        "factors-repeated.ods",
        *factors,
        repeated_ods,
    )
    return cases


def multipart(path: Path, fields: dict, out: Path) -> int:
    """Write a multipart body of the fields and the file; return its size."""
    with out.open("wb") as body:
        for name, value in fields.items():
            body.write(
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"'
                f"\r\n\r\n{value}\r\n".encode()
            )
        body.write(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{path.name}"\r\nContent-Type: application/octet-stream'
            "\r\n\r\n".encode()
        )
        with path.open("rb") as source:
            shutil.copyfileobj(source, body, 1 << 20)
        body.write(f"\r\n--{BOUNDARY}--\r\n".encode())
        return body.tell()


def setup_django(folder: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["MEDIA_ROOT"] = str(folder / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carbonledger.settings")
    os.environ.setdefault("AXES_ENABLED", "off")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    # Pages are rendered without collectstatic's manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


def prepare_database(folder: Path) -> None:
    """Create the database every case starts from (copied for each)."""
    setup_django(folder)
    from django.core.management import call_command

    from accounts.models import BusinessUnit, Membership, Organisation, User
    from emissions.catalogue import load_activity_types, load_curated_factors

    call_command("migrate", verbosity=0)
    load_activity_types()
    load_curated_factors()
    org = Organisation.objects.create(slug="bench-upload", name="Bench Upload AS")
    BusinessUnit.objects.create(organisation=org, code="OSL", name="Oslo", country="NO")
    user = User.objects.create_user("bench@example.com", "bench-password-1")
    Membership.objects.create(user=user, organisation=org, role="admin")


def peak_megabytes() -> float:
    """The process's peak resident memory (VmHWM, which, unlike ru_maxrss,
    is not inherited from the parent across fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(folder: Path, url_name: str, body: Path, size: int) -> None:
    """Post one body in this process and print its peak memory and the answer."""
    setup_django(folder)
    from django.test import Client
    from django.test.client import ClientHandler
    from django.urls import reverse

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email="bench@example.com"))
    cookie = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())
    before = peak_megabytes()
    started = time.perf_counter()
    with body.open("rb") as stream:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": reverse(url_name, args=["bench-upload"]),
            "QUERY_STRING": "",
            "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
            "CONTENT_LENGTH": str(size),
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "HTTP_HOST": "localhost",
            "HTTP_COOKIE": cookie,
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": stream,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        response = ClientHandler(enforce_csrf_checks=False)(environ)
    seconds = time.perf_counter() - started
    peak = peak_megabytes()
    answer = f"HTTP {response.status_code}"
    if response.status_code == 200:
        import re

        found = re.search(rb'class="error" role="alert">([^<]+)', response.content)
        if found:
            answer += f": {found.group(1).decode()[:100]}"
    elif response.status_code == 302 and url_name == "import_upload":
        from emissions.models import ImportBatch

        batch = ImportBatch.objects.order_by("-pk").first()
        answer += f", import {batch.status}, {batch.rows_read} rows"
        if batch.errors:
            answer += f": {batch.errors[0]['message'][:100]}"
    print(f"{peak:.0f}|{before:.0f}|{seconds:.1f}|{answer}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", help="run only the cases whose name holds this")
    parser.add_argument("--run", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        folder, url_name, body, size = args.run
        run_case(Path(folder), url_name, Path(body), int(size))
        return 0
    work = Path(tempfile.mkdtemp(prefix="cl-bench-upload-"))
    try:
        files = work / "files"
        files.mkdir()
        cases = make_files(files, args.case)
        template = work / "template"
        template.mkdir()
        subprocess.run(
            [sys.executable, __file__, "--run", str(template), "prepare", "-", "0"],
            check=True,
        )
        failed = 0
        for name, (url_name, path, fields) in cases.items():
            if args.case and args.case.lower() not in name.lower():
                continue
            folder = work / "case"
            shutil.rmtree(folder, ignore_errors=True)
            shutil.copytree(template, folder)
            body = work / "body"
            size = multipart(path, fields, body)
            proc = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--run",
                    str(folder),
                    url_name,
                    str(body),
                    str(size),
                ],
                capture_output=True,
                text=True,
            )
            body.unlink()
            megabytes = path.stat().st_size / 1024 / 1024
            if proc.returncode != 0:
                failed += 1
                print(f"{name} ({megabytes:.1f} MB): failed, exit {proc.returncode}")
                print(proc.stderr[-1500:], file=sys.stderr)
                continue
            last = proc.stdout.strip().splitlines()[-1]
            peak, before, seconds, answer = last.split("|", 3)
            if answer.startswith("HTTP 500"):
                print(proc.stderr[-1500:], file=sys.stderr)
            verdict = "ok" if float(peak) <= TARGET_MB else "over"
            print(
                f"{name} ({megabytes:.1f} MB): peak {peak} MB (process before the "
                f"request {before} MB), {seconds} s, {answer}; target under "
                f"{TARGET_MB} MB: {verdict}",
                flush=True,
            )
        return 1 if failed else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--run" and sys.argv[3] == "prepare":
        prepare_database(Path(sys.argv[2]))
        sys.exit(0)
    sys.exit(main())
