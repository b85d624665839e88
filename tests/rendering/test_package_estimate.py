"""Shipping weight and box when the catalogue states no weight: estimated from the pack size as
producers write it, or from the group's usual pack, and said to be estimated; blocked only with
nothing to go on."""

from __future__ import annotations

import pytest
from listing_products import TODAY, catalogue_product

from rendering.listing import Blocked, RenderedListing, input_fingerprint, render_listing
from rendering.package_estimate import PACKAGES_FILE, TYPICAL_PACKS_FILE, load_package_rules
from rendering.profiles import load_profile


@pytest.mark.parametrize(("group", "pack", "weight_kg", "box"), [
    ("I.3.c", "500 g", 0.6, (20, 15, 8)),                      # contents and the tier's allowance
    ("I.3.c", "Túi 1kg", 1.15, (25, 18, 10)),
    ("I.2.a", "1,5 kg", 1.75, (30, 22, 14)),
    ("I.5.b", "hộp 10 gói x 20 g", 0.26, (15, 10, 6)),
    ("I.5.a", "Hộp 200g (10 túi lọc x 2g)", 0.26, (15, 10, 6)),
    ("I.4.a", "Chai 750ml", 1.2, (12, 12, 30)),                  # a glass bottle weighs more than a bag
    ("II.2.b", "thùng 24 lon x 330ml", 9.12, (42, 28, 26)),
    ("II.2.b", "330ml x 24 lon", 9.12, (42, 28, 26)),
    ("II.1.a", "500 ml", 0.95, (12, 12, 34)),
])
def test_a_listing_without_net_weight_is_estimated_from_its_pack_size(group, pack, weight_kg, box):
    listing = render_listing(catalogue_product(net_weight_g=None, pack_size=pack, group_code=group),
                             load_profile("lazada"), today=TODAY)
    assert isinstance(listing, RenderedListing)
    assert (listing.weight_kg, listing.package_cm, listing.package_estimated) == (weight_kg, box, True)


def test_without_a_pack_size_the_groups_usual_pack_is_used():
    tea = catalogue_product(net_weight_g=None, pack_size=None, group_code="I.5.a")     # chè: 200 g
    listing = render_listing(tea, load_profile("shopee"), today=TODAY)
    assert (listing.weight_kg, listing.package_cm, listing.package_estimated) == (0.26, (15, 10, 6), True)


def test_a_stated_net_weight_is_sent_as_it_is_and_not_marked_estimated(profile):
    listing = render_listing(catalogue_product(net_weight_g=120, pack_size="100 g"), profile, today=TODAY)
    assert (listing.weight_kg, listing.package_cm, listing.package_estimated) == (0.12, (15, 10, 6), False)


def test_with_nothing_to_estimate_from_the_listing_is_blocked_naming_what_is_missing():
    bonsai = catalogue_product(net_weight_g=None, pack_size="1 chậu", group_code="V.2")
    blocked = render_listing(bonsai, load_profile("tiktok"), today=TODAY)
    assert isinstance(blocked, Blocked)
    assert blocked.reasons == (
        "net weight missing: pack size '1 chậu' names no quantity (e.g. '500 g', 'hộp 10 gói x 20 g'), and no usual "
        "pack for group V.2 or its parents in typical_packs.csv (required by tiktok)",)
    sacks = catalogue_product(net_weight_g=None, pack_size="bao 50 kg", group_code="I.2.a")
    assert render_listing(sacks, load_profile("tiktok"), today=TODAY).reasons == (
        "package dimensions missing: no tier in packages.csv for 50000 g (pack size 'bao 50 kg') (required by tiktok)",)


def test_a_provinces_own_tables_are_used_and_change_the_fingerprint(tmp_path):
    packages = tmp_path / "packages.csv"
    packages.write_text(PACKAGES_FILE.read_text(encoding="utf-8").replace(",600,100,20,15,8", ",600,180,22,16,9"),
                        encoding="utf-8")
    typical = tmp_path / "typical_packs.csv"
    typical.write_text("group_code,typical_pack\nV.2,chậu 2 kg\n", encoding="utf-8")
    ours = load_package_rules(packages, typical)
    profile = load_profile("shopee")

    honey = catalogue_product(net_weight_g=None, pack_size="500 g")
    listing = render_listing(honey, profile, today=TODAY, packages=ours)
    assert (listing.weight_kg, listing.package_cm) == (0.68, (22, 16, 9))
    assert input_fingerprint(honey, profile, packages=ours) != input_fingerprint(honey, profile)

    bonsai = catalogue_product(net_weight_g=None, pack_size=None, group_code="V.2")
    assert render_listing(bonsai, profile, today=TODAY, packages=ours).weight_kg == 2.25
    assert load_package_rules() == load_package_rules(PACKAGES_FILE, TYPICAL_PACKS_FILE)


def test_the_offices_own_tables_are_read_from_the_settings(tmp_path, monkeypatch):
    own = tmp_path / "packages.csv"
    own.write_text(PACKAGES_FILE.read_text(encoding="utf-8-sig"), encoding="utf-8")
    assert load_package_rules().digest == load_package_rules(PACKAGES_FILE, TYPICAL_PACKS_FILE).digest
    with own.open("a", encoding="utf-8") as handle:
        handle.write("\n")   # the same rules, another file: another digest, so listings re-render
    monkeypatch.setenv("OCOP_PACKAGES_FILE", str(own))
    assert load_package_rules().digest == load_package_rules(own, TYPICAL_PACKS_FILE).digest
    assert load_package_rules().digest != load_package_rules(PACKAGES_FILE, TYPICAL_PACKS_FILE).digest
