"""The Decision 148/QĐ-TTg product-group tree (bộ sản phẩm / ngành / nhóm).

Codes read `I.2.a`: product set (roman numeral), branch, group. A product is classified at the
finest level the tree has (some branches have no lettered groups, e.g. `I.6`, `III.1`).
"""

from __future__ import annotations

GROUPS: dict[str, str] = {
    "I": "Thực phẩm",
    "I.1": "Thực phẩm tươi sống",
    "I.1.a": "Rau, củ, quả, hạt tươi",
    "I.1.b": "Thịt, cá, trứng, sữa tươi",
    "I.2": "Thực phẩm thô, sơ chế",
    "I.2.a": "Gạo, ngũ cốc, hạt",
    "I.2.b": "Mật ong, sản phẩm nông nghiệp khác",
    "I.3": "Thực phẩm chế biến",
    "I.3.a": "Thức ăn nhanh",
    "I.3.b": "Chế biến từ gạo, ngũ cốc",
    "I.3.c": "Chế biến từ rau, củ, quả, hạt",
    "I.3.d": "Chế biến từ thịt, trứng, sữa, cá, mật ong",
    "I.4": "Gia vị",
    "I.4.a": "Tương, nước mắm",
    "I.4.b": "Gia vị khác",
    "I.5": "Chè",
    "I.5.a": "Chè",
    "I.5.b": "Trà thảo mộc",
    "I.6": "Cà phê, ca cao",
    "II": "Đồ uống",
    "II.1": "Đồ uống có cồn",
    "II.1.a": "Rượu trắng từ gạo, ngô",
    "II.1.b": "Đồ uống có cồn khác",
    "II.2": "Đồ uống không cồn",
    "II.2.a": "Nước khoáng, nước uống đóng chai",
    "II.2.b": "Đồ uống không cồn khác",
    "III": "Dược liệu và sản phẩm từ dược liệu",
    "III.1": "Thực phẩm chức năng, thuốc từ dược liệu",
    "III.2": "Mỹ phẩm từ thảo dược",
    "III.3": "Tinh dầu và dược liệu khác",
    "IV": "Thủ công mỹ nghệ",
    "IV.1": "Đồ gia dụng, trang trí",
    "IV.2": "Dệt may",
    "V": "Sinh vật cảnh",
    "V.1": "Hoa",
    "V.2": "Cây cảnh",
    "V.3": "Động vật cảnh",
    "VI": "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch",
}

# Group VI is services: nothing to ship, so never in a marketplace's "must be listed" set.
SERVICE_SETS = frozenset({"VI"})


def is_known_group(code: str) -> bool:
    return code in GROUPS


def product_set(code: str) -> str:
    """The roman-numeral set a group code belongs to: `I.3.c` -> `I`."""
    return code.split(".", 1)[0]


def is_physical_goods(code: str) -> bool:
    return product_set(code) not in SERVICE_SETS


def group_path(code: str) -> list[str]:
    """Ancestors first: `I.3.c` -> [`I`, `I.3`, `I.3.c`]. Used by category maps that fall back up the tree."""
    parts = code.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]
