"""Listing images: photos fitted to the channel's square, a drawn cover when there is none, and the
OCOP badge on the cover (Shopee) or as an image of its own (Lazada, TikTok)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from listing_products import TODAY, catalogue_product
from PIL import Image

from catalogue.records import CertificationRecord
from rendering.images import ImageUnavailable
from rendering.listing import Blocked, render_listing
from rendering.profiles import load_profile

EXPIRED = CertificationRecord("1120/QĐ-UBND", dt.date(2022, 6, 1), "UBND tỉnh Đồng Tháp", 4)


def decode(image) -> Image.Image:
    return Image.open(io.BytesIO(image.content))


def write_photo(path, size=(1200, 600), colour=(250, 200, 40, 255)) -> str:
    Image.new("RGBA", size, colour).save(path, "PNG")
    return str(path)


def top_right_is_badge_red(picture: Image.Image) -> bool:
    size = picture.width
    red, green, blue = picture.convert("RGB").getpixel((round(size * 0.84), round(size * 0.16)))
    return red > 170 and green < 60 and blue < 80


def test_product_without_photos_gets_a_drawn_cover_with_the_badge_on_shopee():
    listing = render_listing(catalogue_product(), load_profile("shopee"), today=TODAY)
    assert [image.filename for image in listing.images] == ["OCOP-DT-HATSEN-100G-1.jpg"]
    cover = decode(listing.images[0])
    assert (cover.format, cover.size) == ("JPEG", (800, 800))
    assert top_right_is_badge_red(cover)


@pytest.mark.parametrize("channel", ["lazada", "tiktok"])
def test_badge_is_an_image_of_its_own_where_the_cover_must_stay_clean(channel):
    listing = render_listing(catalogue_product(), load_profile(channel), today=TODAY)
    assert [image.filename for image in listing.images] == ["OCOP-DT-HATSEN-100G-1.jpg", "ocop-4-sao.jpg"]
    assert not top_right_is_badge_red(decode(listing.images[0]))
    card = decode(listing.images[1]).convert("RGB")
    assert card.getpixel((400, 400))[0] > 170 and card.getpixel((10, 10)) == (255, 255, 255)


def test_badge_card_is_shared_by_all_products_of_a_star_count():
    profile = load_profile("lazada")
    one = render_listing(catalogue_product(), profile, today=TODAY)
    other = render_listing(catalogue_product(seller_sku="OCOP-DT-OTHER", name="Trà sen"), profile, today=TODAY)
    assert one.images[-1].sha256 == other.images[-1].sha256
    assert one.images[0].sha256 != other.images[0].sha256


def test_expired_certificate_gets_no_badge_anywhere(profile):
    listing = render_listing(catalogue_product(certification=EXPIRED), profile, today=TODAY)
    assert len(listing.images) == 1
    assert not top_right_is_badge_red(decode(listing.images[0]))


def test_photo_is_padded_onto_a_white_square_with_the_badge_composited(tmp_path):
    photo = write_photo(tmp_path / "hat-sen.png")
    listing = render_listing(catalogue_product(images=(photo,)), load_profile("shopee"), today=TODAY)
    cover = decode(listing.images[0]).convert("RGB")
    assert cover.size == (800, 800)
    assert min(cover.getpixel((400, 30))) > 245           # padding above the wide photo is white
    red, green, blue = cover.getpixel((400, 400))
    assert red > 230 and 180 < green < 220 and blue < 70   # the photo itself, transparency flattened
    assert top_right_is_badge_red(cover)


def test_photos_beyond_the_channel_limit_are_dropped_and_the_badge_kept(tmp_path):
    photos = tuple(write_photo(tmp_path / f"{index}.png", colour=(index * 20, 100, 100, 255)) for index in range(12))
    listing = render_listing(catalogue_product(images=photos), load_profile("lazada"), today=TODAY)
    assert len(listing.images) == 8
    assert listing.images[-1].filename == "ocop-4-sao.jpg"


def test_a_changed_photo_changes_the_content_hash(tmp_path):
    profile = load_profile("tiktok")
    before = render_listing(catalogue_product(images=(write_photo(tmp_path / "a.png"),)), profile, today=TODAY)
    retouched = write_photo(tmp_path / "b.png", colour=(240, 200, 40, 255))
    after = render_listing(catalogue_product(images=(retouched,)), profile, today=TODAY)
    assert after.title == before.title and after.content_hash != before.content_hash


def test_url_images_are_read_through_the_loader_given(profile):
    """Fetching by URL itself is tested against a local HTTP server (test_images_by_url.py)."""
    product = catalogue_product(images=("https://cdn.example.vn/hat-sen.jpg",))
    buffer = io.BytesIO()
    Image.new("RGB", (400, 400), (10, 120, 10)).save(buffer, "PNG")
    fetched = {"https://cdn.example.vn/hat-sen.jpg": buffer.getvalue()}
    listing = render_listing(product, profile, today=TODAY, load_image=fetched.__getitem__)
    assert decode(listing.images[0]).size == (800, 800)


def test_unreadable_or_missing_image_files_are_blocked(tmp_path, profile):
    corrupt = tmp_path / "broken.jpg"
    corrupt.write_bytes(b"not an image")
    blocked = render_listing(catalogue_product(images=(str(corrupt),)), profile, today=TODAY)
    assert blocked.reasons == (f"images invalid: image {str(corrupt)!r} unusable: not a readable image (UnidentifiedImageError) ({profile.channel.value})",)
    missing = render_listing(catalogue_product(images=(str(tmp_path / "gone.jpg"),)), profile, today=TODAY)
    assert "No such file or directory" in missing.reasons[0]


def test_loader_failure_surfaces_as_image_unavailable():
    def offline(ref: str) -> bytes:
        raise ImageUnavailable(ref, "registry CDN unreachable")

    product = catalogue_product(images=("https://cdn.example.vn/x.jpg",))
    blocked = render_listing(product, load_profile("shopee"), today=TODAY, load_image=offline)
    assert "registry CDN unreachable" in blocked.reasons[0]


def test_channels_that_draw_alike_share_one_drawing_and_a_replaced_photo_is_drawn_again(tmp_path, monkeypatch):
    """Lazada and TikTok draw alike (size, quality, badge as its own image): one drawing serves both;
    a photo replaced at the same path is a new drawing, never the cached one."""
    from rendering import images

    drawn = []
    real_draw = images._draw_images
    monkeypatch.setattr(images, "_draw_images", lambda *args: drawn.append(args[0].product.seller_sku) or real_draw(*args))
    photo = write_photo(tmp_path / "shared.png")
    product = catalogue_product(images=(photo,), seller_sku="OCOP-DT-SHARED-1")

    lazada = render_listing(product, load_profile("lazada"), today=TODAY)
    tiktok = render_listing(product, load_profile("tiktok"), today=TODAY)
    assert [image.sha256 for image in lazada.images] == [image.sha256 for image in tiktok.images]
    assert drawn == ["OCOP-DT-SHARED-1"]

    write_photo(tmp_path / "shared.png", colour=(20, 90, 200, 255))
    replaced = render_listing(product, load_profile("tiktok"), today=TODAY)
    assert len(drawn) == 2
    assert replaced.images[0].sha256 != tiktok.images[0].sha256


def test_a_process_told_to_draw_together_draws_a_product_once_for_all_its_channels(tmp_path, monkeypatch):
    """A publish's render process serves every channel: one drawing of the photos (or the placeholder)
    gives Shopee its framed cover and Lazada and TikTok theirs, identical to drawing each alone."""
    from rendering import images

    profiles = [load_profile(channel) for channel in ("shopee", "lazada", "tiktok")]
    products = [catalogue_product(seller_sku="OCOP-DT-TOGETHER-PLAIN"),
                catalogue_product(images=(write_photo(tmp_path / "a.png"), write_photo(tmp_path / "b.png", colour=(9, 9, 200, 255))),
                                  seller_sku="OCOP-DT-TOGETHER-PHOTOS")]
    alone = [[render_listing(product, profile, today=TODAY) for profile in profiles] for product in products]

    drawn, fitted = [], []
    real_cover, real_fit = images.placeholder_cover, images._fit_photo
    monkeypatch.setattr(images, "placeholder_cover", lambda item, size: drawn.append(item) or real_cover(item, size))
    monkeypatch.setattr(images, "_fit_photo", lambda ref, content, size: fitted.append(ref) or real_fit(ref, content, size))
    monkeypatch.setattr(images, "_drawn_together", ())
    images.draw_together(profile.images for profile in profiles)
    together = [[render_listing(product, profile, today=TODAY) for profile in profiles] for product in products]

    assert len(drawn) == 1 and len(fitted) == 2       # once per product, not once per look
    for one, other in zip(alone, together, strict=True):
        assert [[i.content for i in listing.images] for listing in one] == [[i.content for i in listing.images] for listing in other]
        assert [listing.content_hash for listing in one] == [listing.content_hash for listing in other]
    assert top_right_is_badge_red(decode(together[0][0].images[0]))             # Shopee: badge on the cover
    assert not top_right_is_badge_red(decode(together[0][1].images[0]))         # Lazada: a clean cover


def test_drawn_together_a_broken_photo_blocks_only_the_channels_that_show_it(tmp_path, monkeypatch):
    """Nine photos, the ninth unreadable: Shopee (nine images) is blocked; Lazada (seven photos and
    the badge card) and TikTok (eight) still get their listings, as when each is drawn alone."""
    from rendering import images

    photos = tuple(write_photo(tmp_path / f"p{n}.png", colour=(20 * n, 90, 40, 255)) for n in range(8))
    broken = tmp_path / "p8.jpg"
    broken.write_bytes(b"not an image")
    product = catalogue_product(images=(*photos, str(broken)), seller_sku="OCOP-DT-NINE-PHOTOS")
    profiles = [load_profile(channel) for channel in ("shopee", "lazada", "tiktok")]
    monkeypatch.setattr(images, "_drawn_together", ())
    images.draw_together(profile.images for profile in profiles)

    shopee, lazada, tiktok = (render_listing(product, profile, today=TODAY) for profile in profiles)
    assert isinstance(shopee, Blocked) and "p8.jpg" in shopee.reasons[0]
    assert [len(lazada.images), len(tiktok.images)] == [8, 9]


def test_drawn_together_a_drawing_is_kept_until_every_channel_has_taken_its_images(monkeypatch):
    """Shops publish at different speeds: a drawing waits for the slowest channel, then is forgotten."""
    from rendering import images

    profiles = [load_profile(channel) for channel in ("shopee", "lazada", "tiktok")]
    monkeypatch.setattr(images, "_drawn_together", ())
    images.draw_together(profile.images for profile in profiles)
    product = catalogue_product(seller_sku="OCOP-DT-TAKEN-ONCE")

    def held() -> bool:
        return any(key[0] == product for key in list(images._cached_drawing.cache))

    first = [render_listing(product, profile, today=TODAY) for profile in profiles[:2]]
    assert held()                                        # TikTok has not taken its images yet
    last = render_listing(product, profiles[2], today=TODAY)
    assert not held()
    assert last.images == first[1].images                # Lazada's and TikTok's look alike
    again = render_listing(product, profiles[0], today=TODAY)
    assert again.images == first[0].images               # asked again (a retry): drawn again, the same
