"""Each finding in plain words, and what the producer or the office should do about it.

Platform and renderer reasons arrive as technical text ("net weight missing (required by lazada)",
"The listing contains a prohibited word: “hàng giả”", "error_title_exceeds_max_length"); the rules
below recognise the common ones and say what to fix. Unrecognised reasons are shown as they are,
with a general next step.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from catalogue.records import CatalogueProduct, NotListable
from reconcile.classify import Finding, State
from rendering.issues import Actor, actor_in
from rendering.package_estimate import PackageData
from reports.i18n import Language


@dataclass(frozen=True)
class Advice:
    reason: str
    action: str


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    reason: tuple[str, str]           # (vi, en); "{word}" is the quoted word the platform named
    action: tuple[str, str]


def _rule(pattern: str, reason: tuple[str, str], action: tuple[str, str]) -> _Rule:
    return _Rule(re.compile(pattern, re.IGNORECASE), reason, action)


# First match wins: a prohibited word is named before anything else the same message mentions.
_RULES = (
    _rule(r"prohibited|forbidden|banned|not allowed|restricted word|từ cấm",
          ("Tên hoặc mô tả có từ sàn không cho phép{word}", "The title or description contains a word the platform refuses{word}"),
          ("Bỏ từ đó khỏi tên/mô tả sản phẩm trong danh mục", "Remove that word from the product's name or description")),
    _rule(r"unusable: HTTP \d+",
          ("Không tải được ảnh từ đường dẫn trong danh mục", "The photo's link in the catalogue does not work"),
          ("Sửa đường dẫn ảnh trong danh mục hoặc gửi ảnh mới", "Correct the photo's link in the catalogue or send the photo")),
    _rule(r"unusable: (not an image|not a photo format|not a readable image)",
          ("Đường dẫn ảnh không dẫn tới một tấm ảnh", "The photo's link does not lead to a picture"),
          ("Dùng đường dẫn tới chính tệp ảnh JPEG hoặc PNG", "Link the JPEG or PNG file itself")),
    _rule(r"unusable: too small",
          ("Ảnh sản phẩm quá nhỏ", "The product photo is too small"),
          ("Gửi ảnh lớn hơn, ít nhất 500 × 500 điểm ảnh", "Send a larger photo, at least 500 × 500 pixels")),
    _rule(r"unusable: too large",
          ("Tệp ảnh quá nặng", "The photo file is too large"),
          ("Gửi ảnh JPEG nhẹ hơn (dưới 1 MB)", "Send a lighter JPEG photo (under 1 MB)")),
    _rule(r"unusable: (no answer|connection failed|the download broke off)",
          ("Máy chủ chứa ảnh không trả lời", "The server holding the photo did not answer"),
          ("Kiểm tra trang web chứa ảnh; lần đồng bộ sau sẽ thử lại", "Check the website holding the photo; the next sync tries again")),
    _rule(r"gtin|barcode|\bean\b|mã vạch",
          ("Mã vạch (GTIN) thiếu hoặc không hợp lệ", "The barcode (GTIN) is missing or invalid"),
          ("Bổ sung hoặc sửa mã vạch GTIN in trên bao bì", "Add or correct the GTIN barcode printed on the pack")),
    _rule(r"weight|trọng lượng|khối lượng",
          ("Thiếu khối lượng tịnh, không ước tính được", "The net weight is missing and cannot be estimated"),
          ("Bổ sung khối lượng tịnh (gam) hoặc quy cách có khối lượng, ví dụ “hộp 10 gói x 20 g”",
           "Add the net weight (grams) or a pack size that states it, e.g. “hộp 10 gói x 20 g”")),
    _rule(r"dimension|kích thước",
          ("Thiếu kích thước kiện hàng", "The package size is missing"),
          ("Bổ sung khối lượng để tính kích thước kiện hàng", "Add the weight so the package size can be set")),
    _rule(r"image|photo|ảnh",
          ("Thiếu ảnh sản phẩm", "Product photos are missing"),
          ("Gửi ảnh sản phẩm rõ nét (ít nhất 1 ảnh)", "Send clear product photos (at least one)")),
    _rule(r"categor|ngành hàng|danh mục",
          ("Nhóm sản phẩm chưa gắn với ngành hàng của sàn", "The product group has no category on this channel"),
          ("Văn phòng OCOP bổ sung ngành hàng cho nhóm này", "The OCOP office adds a category for this group")),
    _rule(r"brand|thương hiệu",
          ("Thiếu thương hiệu", "The brand is missing"),
          ("Bổ sung thương hiệu của sản phẩm", "Add the product's brand")),
    _rule(r"price|giá",
          ("Giá bán không hợp lệ", "The price is not accepted"),
          ("Kiểm tra lại giá bán (đồng, không lẻ)", "Check the price (whole đồng)")),
    _rule(r"(title|name).*(long|exceed|max)|too long",
          ("Tên sản phẩm quá dài", "The product name is too long"),
          ("Rút gọn tên sản phẩm", "Shorten the product name")),
    _rule(r"(title|name).*(short|least|min)|too short",
          ("Tên sản phẩm quá ngắn", "The product name is too short"),
          ("Đặt tên đầy đủ hơn cho sản phẩm", "Give the product a fuller name")),
    _rule(r"desc",
          ("Mô tả sản phẩm chưa đạt yêu cầu", "The description does not meet the platform's rules"),
          ("Bổ sung mô tả sản phẩm", "Add a product description")),
)
_QUOTED = re.compile(r"[“\"'‘]([^”\"'’]+)[”\"'’]")


def estimate_note(package: PackageData | None, lang: Language) -> str:
    """What the producer is asked to confirm when a listing's weight and box were estimated; "" when stated."""
    if package is None or not package.estimated:
        return ""
    weight = f"{package.weight_g / 1000:.2f}".rstrip("0").rstrip(".")
    box = "×".join(str(side) for side in package.cm)
    if lang.code == "vi":
        return f"Khối lượng ước tính: hãy xác nhận ({weight.replace('.', ',')} kg, hộp {box} cm)"
    return f"Estimated weight: please confirm ({weight} kg, box {box} cm)"


# The kinds of contact detail (rendering.contacts.ContactKind), as a producer reads them.
_CONTACT_WORDS = {"phone": ("số điện thoại", "phone number"), "map_link": ("đường dẫn bản đồ", "map link"),
                  "zalo": ("Zalo", "Zalo"), "facebook": ("Facebook", "Facebook"), "website": ("trang web", "website"),
                  "email": ("email", "email")}


def _by_rule(text: str, finding: Finding, i: int) -> tuple[str, str] | None:
    rule = next((r for r in _RULES if r.pattern.search(f"{text} {finding.error_code or ''}")), None)
    if rule is None:
        return None
    word = _QUOTED.search(text)
    return rule.reason[i].format(word=f": “{word.group(1)}”" if word else ""), rule.action[i]


def _category_field(text: str, lang: Language) -> tuple[str, str] | None:
    found = _CATEGORY_FIELD.match(text)
    if found is None:
        return None
    kind, name, _key, why, channel = found.groups()
    shown = lang.channel(channel)
    if lang.code == "vi":
        what = "thuộc tính" if kind == "attribute" else "giấy chứng nhận"
        return (f"Danh mục trên {shown} bắt buộc {what} “{name}”, chưa có ({why})",
                f"Bổ sung “{name}” cho sản phẩm; lần đồng bộ sau sẽ gửi lại")
    what = "attribute" if kind == "attribute" else "certificate"
    return (f"The category on {shown} requires the {what} “{name}”, which is missing ({why})",
            f"Provide “{name}” for the product; the next sync sends it again")


def contacts_note(kinds: Sequence[str], lang: Language) -> str:
    """What the producer is told when contact details were left out of the listing's description; "" when none."""
    if not kinds:
        return ""
    i = 0 if lang.code == "vi" else 1
    words = ", ".join(_CONTACT_WORDS[kind][i] for kind in kinds)
    if i == 0:
        return (f"Đã bỏ thông tin liên hệ ({words}) khỏi mô tả: sàn không cho phép đăng thông tin liên hệ trong "
                "tin đăng. Danh mục vẫn giữ nguyên; khách liên hệ qua tin nhắn của sàn.")
    return (f"Contact details ({words}) were left out of the description: marketplaces forbid contact details "
            "in listings. The catalogue keeps them; buyers reach you through the marketplace's chat.")


def explain(finding: Finding, product: CatalogueProduct | None, lang: Language) -> Advice:
    i = 0 if lang.code == "vi" else 1
    state = finding.state
    if state == State.LIVE:
        return Advice("", "")
    if state == State.DRIFT:
        return _drift(finding, product, lang)
    if state == State.DUPLICATE:
        return _duplicate(finding, product, lang)
    if state == State.UNDER_REVIEW:
        return Advice(("Sàn đang duyệt tin đăng", "The platform is reviewing the listing")[i],
                      ("Không cần làm gì; kiểm tra lại sau 1–2 ngày", "Nothing to do; check again in a day or two")[i])
    if state in (State.REJECTED, State.BLOCKED):
        return _from_reasons(finding, lang)
    if state == State.INACTIVE:
        return Advice((f"Có trên sàn nhưng không bán (trạng thái {finding.reason})",
                       f"On the shop but not selling (status {finding.reason})")[i],
                      ("Kiểm tra thông báo của sàn; lần đồng bộ sau sẽ mở bán lại nếu được phép",
                       "Check the platform's notice; the next sync relists it if allowed")[i])
    if state == State.MISSING:
        return _missing(finding, lang)
    if state == State.UNVERIFIED:
        return Advice((f"Không đọc được gian hàng trong lần đối soát này: {finding.reason}",
                       f"The shop could not be read in this run: {finding.reason}")[i],
                      ("Cán bộ vận hành kiểm tra kết nối và khoá truy cập của gian hàng",
                       "The operator checks the shop's connection and access keys")[i])
    if state == State.EXPIRED_LIVE:
        return Advice((f"{lang(finding.reason)} nhưng tin đăng vẫn đang bán", f"{lang(finding.reason)} but the listing is still live")[i],
                      ("Đăng ký đánh giá lại; lần đồng bộ sau sẽ gỡ tin đăng", "Apply for re-evaluation; the next sync withdraws the listing")[i])
    if state == State.NOT_LISTABLE:
        return _not_listable(finding, lang)
    return _orphan(finding, lang)


def _duplicate(finding: Finding, product: CatalogueProduct | None, lang: Language) -> Advice:
    i = 0 if lang.code == "vi" else 1
    others = ", ".join(finding.duplicate_ids)
    reason = (f"Sản phẩm được đăng {len(finding.duplicate_ids) + 1} lần trên gian hàng (mã khác: {others})",
              f"Listed {len(finding.duplicate_ids) + 1} times on this shop (other items: {others})")[i]
    action = (f"Xoá các tin đăng thừa, giữ tin {finding.remote_id}", f"Remove the extra items, keep {finding.remote_id}")[i]
    if finding.drift:
        drift = _drift(finding, product, lang)
        return Advice(f"{reason}; {drift.reason}", f"{action}; {drift.action[0].lower()}{drift.action[1:]}")
    return Advice(reason, action)


def _drift(finding: Finding, product: CatalogueProduct | None, lang: Language) -> Advice:
    i = 0 if lang.code == "vi" else 1
    parts = []
    for field in finding.drift:
        if field == "title":
            parts.append(("tên sản phẩm đã bị sửa trên sàn", "the title was changed on the shop")[i])
        elif field == "price":
            catalogue_price = lang.money(product.product.price_vnd if product else None)
            parts.append((f"giá trên sàn {lang.money(finding.remote_price_vnd)}, danh mục {catalogue_price}",
                          f"price on the shop {lang.money(finding.remote_price_vnd)}, catalogue {catalogue_price}")[i])
        elif field == "gtin":
            parts.append((f"mã vạch trên sàn {finding.remote_gtin or '–'} khác danh mục",
                          f"barcode on the shop {finding.remote_gtin or '–'} differs from the catalogue")[i])
        elif field == "stars":
            certified = product.certification.stars if product and product.certification else "?"
            parts.append((f"tin đăng ghi {finding.claimed_stars} sao, sản phẩm đạt {certified} sao",
                          f"the listing claims {finding.claimed_stars} stars, the product is certified {certified}")[i])
    return Advice("; ".join(parts),
                  ("Lần đồng bộ sau sẽ khôi phục theo danh mục; nếu thay đổi là đúng, báo Văn phòng OCOP cập nhật danh mục",
                   "The next sync restores the catalogue values; if the change is right, ask the OCOP office to update the catalogue")[i])


# Who must act on a problem the completeness gate found (rendering.issues.Actor), as a report says it.
_ACTOR_WORDS = {Actor.PRODUCER: ("nhà sản xuất", "the producer"), Actor.OPERATOR: ("cán bộ vận hành", "the operator"),
                Actor.PROVINCE: ("Văn phòng OCOP tỉnh", "the province's OCOP office")}
# A category's mandatory attribute or certificate the listing lacks (rendering.attributes words it so).
_CATEGORY_FIELD = re.compile(r"^(attribute|certification) (.+?) \(([^)]*)\) missing: (.*) \(required by (\w+)\)$")


def _from_reasons(finding: Finding, lang: Language) -> Advice:
    i = 0 if lang.code == "vi" else 1
    texts = [part.strip() for part in (finding.reason or "").split(";") if part.strip()]
    if finding.error_code and not texts:
        texts = [finding.error_code]
    default = ("Sửa thông tin sản phẩm theo lý do sàn nêu; lần đồng bộ sau sẽ gửi lại",
               "Correct the product as the reason says; the next sync sends it again")[i]
    reasons, actions = [], []
    for recorded in texts:
        text, actor = actor_in(recorded)
        reason, action = _category_field(text, lang) or _by_rule(text, finding, i) or (text, "")
        reasons.append(reason)
        if actor is not None:
            action = f"{action or default} ({('người xử lý', 'to act')[i]}: {_ACTOR_WORDS[actor][i]})"
        if action and action not in actions:
            actions.append(action)
    return Advice("; ".join(reasons), "; ".join(actions or [default]))


def _missing(finding: Finding, lang: Language) -> Advice:
    i = 0 if lang.code == "vi" else 1
    if finding.ledger_remote_id:
        return Advice((f"Tin đăng {finding.ledger_remote_id} không còn trên sàn (có thể đã bị xoá)",
                       f"Item {finding.ledger_remote_id} is no longer on the shop (deleted?)")[i],
                      ("Lần đồng bộ sau sẽ đăng lại", "The next sync lists it again")[i])
    if finding.reason:
        return Advice((f"Lần gửi trước bị lỗi: {finding.reason}", f"The last attempt failed: {finding.reason}")[i],
                      ("Hệ thống tự gửi lại ở lần đồng bộ sau", "The next sync retries automatically")[i])
    return Advice(("Chưa được gửi lên sàn", "Not sent to the shop yet")[i],
                  ("Lần đồng bộ sau sẽ đăng sản phẩm", "The next sync lists it")[i])


def _not_listable(finding: Finding, lang: Language) -> Advice:
    i = 0 if lang.code == "vi" else 1
    reason = lang(finding.reason or "")
    if finding.reason in (NotListable.EXPIRED.value, NotListable.REVOKED.value, NotListable.NO_CERTIFICATE.value):
        action = ("Đăng ký đánh giá, công nhận lại sản phẩm OCOP", "Apply for OCOP (re-)evaluation")[i]
        if finding.claims_ocop and finding.remote_id:
            action += ("; gỡ nhãn OCOP khỏi tin đăng", "; remove the OCOP mark from the listing")[i]
        return Advice(reason, action)
    return Advice(reason, "")


def _orphan(finding: Finding, lang: Language) -> Advice:
    i = 0 if lang.code == "vi" else 1
    if finding.claims_ocop:
        stars = f" {finding.claimed_stars} sao" if finding.claimed_stars else ""
        stars_en = f" {finding.claimed_stars}-star" if finding.claimed_stars else ""
        return Advice((f"Tự nhận OCOP{stars} nhưng không có trong danh mục", f"Claims{stars_en} OCOP but is not in the catalogue")[i],
                      ("Đối chiếu với danh mục; nếu không phải sản phẩm OCOP, gỡ nhãn OCOP hoặc gỡ tin đăng",
                       "Check against the catalogue; if it is not an OCOP product, remove the OCOP mark or the item")[i])
    return Advice(("Có trên gian hàng nhưng không có trong danh mục OCOP", "On the shop but not in the OCOP catalogue")[i],
                  ("Đối chiếu với danh mục; gỡ nếu không thuộc gian hàng OCOP", "Check against the catalogue; remove it if it does not belong")[i])
