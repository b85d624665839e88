"""A run made without a province (a deployment's, by default) still names one in its report: the
province its shops are declared for, else its catalogue's, else how many it covers; never nothing."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from flows.report import declared_provinces
from reconcile.run import ReconcileResult
from reports.build import write_reports
from tests.reports.province_data import make_result

SHOPS = ("shopee-dong-thap", "lazada-dong-thap", "tiktok-dong-thap")


def _without_province(*, catalogue_provinces: tuple[str, ...] = ()) -> ReconcileResult:
    """The report tests' run, made without a province; its products spread over `catalogue_provinces`."""
    result = make_result()
    products = result.reconciliation.products
    if catalogue_provinces:
        products = tuple(
            replace(item, producer=replace(item.producer, address=replace(
                item.producer.address, province=catalogue_provinces[n % len(catalogue_provinces)])))
            for n, item in enumerate(products))
    return replace(result, run=replace(result.run, province=None),
                   reconciliation=replace(result.reconciliation, products=products))


def _heading(result: ReconcileResult, tmp_path, **kwargs) -> str:
    built = write_reports(result, [], tmp_path, lang="en", **kwargs)
    title = re.search(r"<title>(.*?)</title>", built.province.html.read_text(encoding="utf-8")).group(1)
    assert title == f"OCOP products on e-commerce: coverage report — {built.province.province}"
    return built.province.province


def _shops_file(tmp_path, provinces: dict[str, str | None]):
    lines = []
    for key, province in provinces.items():
        lines += ["[[shops]]", f'key = "{key}"', f'channel = "{key.split("-")[0]}"', 'base_url = "http://127.0.0.1:1"']
        lines += [f'province = "{province}"'] if province else []
    path = tmp_path / "shops.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_the_province_all_the_runs_shops_are_declared_for_heads_the_report(tmp_path):
    shops_file = _shops_file(tmp_path, {key: "Đồng Tháp" for key in SHOPS} | {"shopee-an-giang": "An Giang"})
    result = _without_province(catalogue_provinces=("Đồng Tháp", "An Giang"))
    assert _heading(result, tmp_path, shop_provinces=declared_provinces(shops_file)) == "Đồng Tháp"


def test_shops_declared_for_several_provinces_leave_it_to_the_catalogue(tmp_path):
    shops_file = _shops_file(tmp_path, {SHOPS[0]: "Đồng Tháp", SHOPS[1]: "An Giang", SHOPS[2]: None})
    assert _heading(_without_province(), tmp_path, shop_provinces=declared_provinces(shops_file)) == "Đồng Tháp"


def test_without_shops_file_the_catalogue_of_one_province_names_it(tmp_path):
    assert declared_provinces(None) == {}
    assert _heading(_without_province(), tmp_path) == "Đồng Tháp"


@pytest.mark.parametrize("provinces, heading", [
    (("Đồng Tháp", "An Giang"), "An Giang, Đồng Tháp"),
    (("Đồng Tháp", "An Giang", "Cà Mau", "Vĩnh Long"), "4 provinces"),
])
def test_a_catalogue_of_several_provinces_is_named_by_them_or_counted(tmp_path, provinces, heading):
    assert _heading(_without_province(catalogue_provinces=provinces), tmp_path) == heading


def test_a_run_made_for_a_province_is_headed_by_it_whatever_the_shops_say(tmp_path):
    shops_file = _shops_file(tmp_path, {key: "An Giang" for key in SHOPS})
    assert _heading(make_result(), tmp_path, shop_provinces=declared_provinces(shops_file)) == "Đồng Tháp"
