"""Checks that a change to the county workbook's code leaves its content alone: builds the workbook
of one county and period with the code of two checkouts, then compares every sheet cell by cell.

    DATABASE_URL=… .venv/bin/python bench/compare_workbooks.py /path/to/old-checkout 140424 2026-11

Each build runs in a subprocess whose working directory (and import path) is a checkout: the given
one, then this one. Compared per sheet: sheet names and order, every cell's value, type and number
format, bold headers, frozen pane and column widths. The cells that differ by nature are 说明's
生成时间 and 数据截至 (the moment of the build, when no data time is given): left out, and named
in the output. Exit status 1 on any difference."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
#: (sheet, first-column label) of the rows whose value is the build's own time
BUILD_TIME_ROWS = {("说明", "生成时间"), ("说明", "数据截至")}


def build(county_code: str, period_key: str, target: str) -> None:
    """In the subprocess: the workbook of one county and month, with the checkout at cwd."""
    sys.path.insert(0, os.getcwd())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from communities.models import Region
    from reporting import periods
    from reporting.workbook import build_workbook

    county = Region.objects.get(code=county_code)
    period = periods.parse_month(period_key)
    stats = build_workbook(county=county, period=period, target=target, version=1)
    print(f"{os.getcwd()}: {stats['rows']} 行台账")


def sheets(path: str) -> dict:
    from openpyxl import load_workbook

    book = load_workbook(path)
    result = {}
    for sheet in book.worksheets:
        cells = {}
        for row in sheet.iter_rows():
            label = row[0].value if row else None
            for cell in row:
                skip = (sheet.title, label) in BUILD_TIME_ROWS and cell.column > 1
                value = "(生成时间)" if skip else cell.value
                cells[cell.coordinate] = (value, cell.data_type, cell.number_format, bool(cell.font and cell.font.b))
        widths = {key: dim.width for key, dim in sheet.column_dimensions.items()}
        result[sheet.title] = {"cells": cells, "freeze": sheet.freeze_panes, "widths": widths}
    return result


def compare(old: dict, new: dict) -> list[str]:
    problems = []
    if list(old) != list(new):
        problems.append(f"工作表不同：{list(old)} ≠ {list(new)}")
    for title in old:
        if title not in new:
            continue
        a, b = old[title], new[title]
        for key in ("freeze", "widths"):
            if a[key] != b[key]:
                problems.append(f"{title} {key}: {a[key]} ≠ {b[key]}")
        for coordinate in sorted(a["cells"].keys() | b["cells"].keys()):
            if a["cells"].get(coordinate) != b["cells"].get(coordinate):
                problems.append(f"{title}!{coordinate}: {a['cells'].get(coordinate)} ≠ {b['cells'].get(coordinate)}")
    return problems


def main(old_checkout: str, county_code: str, period_key: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, checkout in (("old", old_checkout), ("new", str(HERE))):
            path = os.path.join(tmp, f"{name}.xlsx")
            subprocess.run(  # noqa: S603 - this script, with a checkout as cwd
                [sys.executable, __file__, "--build", county_code, period_key, path],
                cwd=checkout, env=os.environ.copy(), check=True,
            )
            paths.append(path)
        old, new = sheets(paths[0]), sheets(paths[1])
    problems = compare(old, new)
    for title, sheet in new.items():
        print(f"{title}: {len(sheet['cells'])} 个单元格")
    print(f"未比较：{sorted(BUILD_TIME_ROWS)} 的值（生成时刻）")
    for problem in problems[:50]:
        print(problem)
    print("一致" if not problems else f"{len(problems)} 处不同")
    return 1 if problems else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--build"]:
        build(*sys.argv[2:5])
    else:
        sys.exit(main(*sys.argv[1:4]))
