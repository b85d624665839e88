"""Which province a listing names as a speciality's origin ("Đặc sản ‹origin›").

A speciality belongs to where it comes from, under the name it earned its reputation with: since
the July 2025 merger Long An's products are filed under Tây Ninh and Bình Định's rice under Gia
Lai, yet buyers look for "đặc sản Long An" and "gạo Bình Định". So a listing names the
certificate's (pre-merger) province. "Long An (nay thuộc Tây Ninh)" is exact too, but costs some
twenty characters of a title whose origin is the first part dropped to fit, and the description's
producer block already gives both addresses; a province that prefers it, or the new name alone,
says so in `ORIGIN_FORMS`.
"""

from __future__ import annotations

from enum import StrEnum

from catalogue.normalise import comparison_key
from catalogue.records import Address
from rendering.text import names_in_full, plain


class OriginForm(StrEnum):
    OLD = "old"                    # "Long An"
    OLD_NOW_NEW = "old_now_new"    # "Long An (nay thuộc Tây Ninh)"
    NEW = "new"                    # "Tây Ninh"


# Province (the certificate's, or the one it merged into for all of its parts) -> the form its
# listings use; a province not named here uses OriginForm.OLD.
ORIGIN_FORMS: dict[str, OriginForm] = {}


def speciality_origin(address: Address, name: str, forms: dict[str, OriginForm] = ORIGIN_FORMS) -> str | None:
    """The origin a listing of product `name` made at `address` names, in the form its province chose;
    None when the name states the province already ("Phú Thọ - Chè Shan tuyết"), so it is not said twice."""
    new = plain(address.province)
    old = plain(address.province_old) or new
    if names_in_full(name, old) or names_in_full(name, new):
        return None
    if comparison_key(old) == comparison_key(new):
        return new
    chosen = {comparison_key(province): form for province, form in forms.items()}
    form = chosen.get(comparison_key(old)) or chosen.get(comparison_key(new)) or OriginForm.OLD
    if form is OriginForm.NEW:
        return new
    if form is OriginForm.OLD_NOW_NEW:
        return f"{old} (nay thuộc {new})"
    return old
