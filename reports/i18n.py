"""Report wording in Vietnamese (default) and English, and how each language writes numbers and dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ocop.channels import declaration

LANGUAGES = ("vi", "en")

# key -> (Vietnamese, English)
_TEXT: dict[str, tuple[str, str]] = {
    "province_title": ("Báo cáo sản phẩm OCOP trên sàn thương mại điện tử", "OCOP products on e-commerce: coverage report"),
    "producer_title": ("Tình trạng sản phẩm OCOP trên các sàn", "Your OCOP products on the marketplaces"),
    "province": ("Tỉnh", "Province"),
    "all_provinces": ("Tất cả các tỉnh, thành phố", "All provinces"),
    "files_on_worker": ("Các tệp báo cáo (trên máy đã lập)", "Report files (on the machine that built them)"),
    "more_rows_in_files": ("… và {count} dòng nữa trong tệp XLSX và CSV.", "… and {count} more rows in the XLSX and CSV files."),
    "provinces_counted": ("{count} tỉnh, thành phố", "{count} provinces"),
    "as_of": ("Tính đến ngày", "As of"),
    "shops_read_at": ("Dữ liệu gian hàng đọc lúc", "Shops read at"),
    "target": ("Mục tiêu", "Target"),
    "at_a_glance": ("Tổng quan", "At a glance"),
    "shops_attention": ("Gian hàng cần xử lý", "Shops needing attention"),
    "shop_reauthorise": ("{shop}: cần cấp quyền lại cho ứng dụng ({reason}); việc đăng bán trên gian hàng này đã dừng. "
                         "Chạy ocop shop authorize {shop} rồi ocop shop connect.",
                         "{shop}: needs re-authorisation ({reason}); publishing to this shop has stopped. "
                         "Run ocop shop authorize {shop}, then ocop shop connect."),
    "shop_authorisation_ends": ("{shop}: quyền truy cập của ứng dụng hết hạn ngày {date} (theo {source}); hãy cấp quyền lại trước ngày đó.",
                                "{shop}: the app's authorisation ends on {date} (per {source}); re-authorise before then."),
    "estimated_listings": ("{count} tin đăng dùng khối lượng và kích thước gói ước tính: nhà sản xuất cần xác nhận.",
                           "{count} listings use an estimated weight and package size: producers are asked to confirm."),
    "evidence_link": ("Bằng chứng cho các con số trên (từng sản phẩm × gian hàng, kèm mã SHA-256): ",
                      "Evidence behind these figures (each product × shop, with SHA-256 sums): "),
    "glance_note": ("Tỷ lệ sản phẩm OCOP còn hiệu lực, là hàng hoá, đang được bán trên từng sàn.",
                    "Share of certified, listable products that are live on each channel."),
    "all_channels": ("Trên tất cả các sàn", "On every channel at once"),
    "channel": ("Sàn", "Channel"),
    "shop": ("Gian hàng", "Shop"),
    "shops": ("Gian hàng", "Shops"),
    "listable": ("Phải có mặt", "Listable"),
    "listable_products": ("Sản phẩm phải có mặt", "Listable products"),
    "live": ("Đang bán", "Live"),
    "not_live": ("Chưa bán", "Not live"),
    "pct_live": ("Tỷ lệ đang bán", "% live"),
    "live_all": ("Đang bán trên mọi sàn", "Live on every channel"),
    "pct_all": ("Tỷ lệ trên mọi sàn", "% on every channel"),
    "below_target": ("Chưa đạt mục tiêu", "Below target"),
    "meets_target": ("Đạt mục tiêu", "Meets the target"),
    "status_by_channel": ("Tình trạng theo sàn", "Status by channel"),
    "status": ("Tình trạng", "Status"),
    "count": ("Số lượng", "Count"),
    "total": ("Tổng", "Total"),
    "trend": ("Diễn biến qua các lần đối soát", "Trend across runs"),
    "run_date": ("Ngày đối soát", "Run date"),
    "reconcile_run": ("lần đối soát số {run_id}", "reconciliation run {run_id}"),
    "no_history": ("Chưa có lần đối soát trước.", "No earlier run yet."),
    "breakdowns": ("Độ phủ theo nhóm", "Coverage by slice"),
    "gaps": ("Sản phẩm chưa bán và lý do", "Gaps and their reasons"),
    "gaps_note": ("Mỗi dòng là một sản phẩm chưa bán trên một gian hàng, kèm lý do và việc cần làm.",
                  "Each row is a listable product not live on one shop, with the reason and what to do."),
    "no_gaps": ("Không có: mọi sản phẩm đều đang bán.", "None: every listable product is live."),
    "issues": ("Sản phẩm đang bán cần xử lý", "Live listings that need attention"),
    "issues_note": ("Sai lệch so với danh mục, đăng trùng, hoặc hết hạn chứng nhận mà vẫn bán.",
                    "Details that differ from the catalogue, duplicates, or expired certificates still live."),
    "no_issues": ("Không có.", "None."),
    "orphans": ("Sản phẩm trên sàn không có trong danh mục", "Items on the shops that are not in the catalogue"),
    "orphans_note": ("Dòng có đánh dấu ★ là sản phẩm tự nhận OCOP mà không có quyết định công nhận.",
                     "Rows marked ★ claim the OCOP mark with no recognition behind it."),
    "due": ("Chứng nhận sắp hết hạn (trong 90 ngày): cần đánh giá lại",
            "Certificates expiring within 90 days: due for re-evaluation"),
    "no_due": ("Không có.", "None."),
    "excluded": ("Không tính vào mẫu số", "Outside the denominator"),
    "excluded_note": ("Các sản phẩm này không phải đăng bán, vì lý do nêu bên cạnh.",
                      "These products are not to be listed, for the reason given."),
    "reason": ("Lý do", "Reason"),
    "what_to_do": ("Việc cần làm", "What to do"),
    "platform_says": ("Sàn ghi", "The platform says"),
    "remote_id": ("Mã trên sàn", "Remote id"),
    "listing_link": ("Đường dẫn tin đăng", "Listing link"),
    "seller_sku": ("Mã SKU", "Seller SKU"),
    "ocop_code": ("Mã OCOP", "OCOP code"),
    "product": ("Sản phẩm", "Product"),
    "products": ("Sản phẩm", "Products"),
    "producer": ("Chủ thể", "Producer"),
    "title_on_shop": ("Tên trên sàn", "Title on the shop"),
    "claims_stars": ("Tự nhận sao", "Claims stars"),
    "stars": ("Hạng sao", "Stars"),
    "decision": ("Quyết định", "Decision"),
    "expires_on": ("Hết hạn ngày", "Expires on"),
    "days_left": ("Còn (ngày)", "Days left"),
    "more_rows": ("… và {n} dòng khác: xem tệp XLSX/CSV.", "… and {n} more rows: see the XLSX/CSV files."),
    "producer_report": ("Báo cáo", "Report"),
    "tax_code": ("Mã số thuế", "Tax code"),
    "address": ("Địa chỉ", "Address"),
    "barcode": ("Mã vạch", "Barcode"),
    "no_barcode": ("Chưa có mã vạch", "No barcode"),
    "invalid_barcode": ("Mã vạch không hợp lệ: {value}", "Invalid barcode: {value}"),
    "certificate": ("Chứng nhận", "Certificate"),
    "cert_valid": ("Còn hiệu lực đến {date}", "Valid until {date}"),
    "cert_due": ("Sắp hết hạn: {date} (còn {days} ngày). Hãy đăng ký đánh giá lại ngay.",
                 "Expires on {date} ({days} days left). Apply for re-evaluation now."),
    "cert_expired": ("Đã hết hạn ngày {date}. Sản phẩm sẽ bị gỡ khỏi các sàn; không được dùng nhãn OCOP nữa.",
                     "Expired on {date}. Listings are being withdrawn; the OCOP mark may no longer be used."),
    "cert_revoked": ("Đã bị thu hồi. Sản phẩm sẽ bị gỡ khỏi các sàn; không được dùng nhãn OCOP nữa.",
                     "Revoked. Listings are being withdrawn; the OCOP mark may no longer be used."),
    "cert_none": ("Chưa có quyết định công nhận OCOP.", "No OCOP recognition on record."),
    "summary_line": ("{live}/{listable} lượt sản phẩm đang bán", "{live} of {listable} product listings live"),
    "generated_note": ("Báo cáo lập từ dữ liệu đọc trực tiếp từ các gian hàng; không chứa dữ liệu của chủ thể khác.",
                       "Built from what the shops really hold; contains no other producer's data."),
    "province_footer": ("Báo cáo lập từ dữ liệu đọc trực tiếp từ các gian hàng, đối chiếu với danh mục OCOP.",
                        "Built from what the shops really hold, compared with the OCOP catalogue."),
    "unknown": ("(không rõ)", "(unknown)"),
    # dimensions
    "dim_stars": ("Theo hạng sao", "By star rating"),
    "dim_group": ("Theo nhóm sản phẩm", "By product group"),
    "dim_commune": ("Theo xã/phường", "By commune"),
    "dim_district_old": ("Theo huyện (trước 7/2025)", "By district (before July 2025)"),
    "dim_producer_kind": ("Theo loại hình chủ thể", "By producer kind"),
    "dim_producer": ("Theo chủ thể", "By producer"),
    "col_stars": ("Hạng sao", "Star rating"),
    "col_group": ("Nhóm sản phẩm", "Product group"),
    "col_commune": ("Xã/phường", "Commune"),
    "col_district_old": ("Huyện (cũ)", "District (old)"),
    "col_producer_kind": ("Loại hình chủ thể", "Producer kind"),
    "col_producer": ("Chủ thể", "Producer"),
    # producer kinds
    "kind_cooperative": ("Hợp tác xã", "Cooperative"),
    "kind_enterprise": ("Doanh nghiệp", "Enterprise"),
    "kind_cooperative_group": ("Tổ hợp tác", "Cooperative group"),
    "kind_household": ("Hộ kinh doanh", "Household business"),
    "kind_unspecified": ("Chưa rõ loại hình", "Kind not given"),
    # states
    "state_live": ("Đang bán", "Live"),
    "state_drift": ("Đang bán, thông tin sai lệch", "Live, details differ"),
    "state_duplicate": ("Đăng trùng", "Listed more than once"),
    "state_under_review": ("Đang chờ sàn duyệt", "Under review"),
    "state_rejected": ("Bị sàn từ chối", "Rejected by the platform"),
    "state_inactive": ("Đã ẩn hoặc bị khoá", "Unlisted or suspended"),
    "state_blocked": ("Chưa gửi: thiếu thông tin", "Not sent: information missing"),
    "state_missing": ("Chưa có trên sàn", "Not on the shop"),
    "state_unverified": ("Không đọc được gian hàng", "Shop could not be read"),
    "state_expired_live": ("Hết hạn chứng nhận nhưng vẫn bán", "Certificate expired, still live"),
    "state_not_listable": ("Không thuộc diện đăng bán", "Not to be listed"),
    "state_orphan": ("Không có trong danh mục", "Not in the catalogue"),
    # not-listable reasons (catalogue.records.NotListable values)
    "tourism service: not physical goods": ("Dịch vụ du lịch, không phải hàng hoá", "Tourism service, not physical goods"),
    "no OCOP recognition on record": ("Chưa có quyết định công nhận OCOP", "No OCOP recognition on record"),
    "certificate expired": ("Chứng nhận đã hết hạn", "Certificate expired"),
    "certificate revoked": ("Chứng nhận đã bị thu hồi", "Certificate revoked"),
}

_VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

def percent_tenths(live: int, listable: int) -> int:
    """The share in tenths of a percent, rounded, except that only a complete set reads 100%."""
    tenths = (live * 2000 + listable) // (2 * listable)
    return 999 if tenths == 1000 and live < listable else tenths


@dataclass(frozen=True)
class Language:
    code: str

    def __post_init__(self) -> None:
        if self.code not in LANGUAGES:
            raise ValueError(f"language {self.code!r} is not supported; expected one of {LANGUAGES}")

    def __call__(self, key: str, **values: object) -> str:
        pair = _TEXT.get(key)
        text = key if pair is None else pair[LANGUAGES.index(self.code)]
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in _TEXT

    def channel(self, channel: str) -> str:
        """The channel's name as buyers know it, the same in both languages."""
        return declaration(channel).display_name

    def number(self, value: int) -> str:
        text = f"{value:,}"
        return text.replace(",", ".") if self.code == "vi" else text

    def percent(self, live: int, listable: int) -> str:
        """One decimal, and never "100%" while something is missing (1999 of 2000 is 99.9%)."""
        if listable == 0:
            return "–"
        tenths = percent_tenths(live, listable)
        text = f"{tenths // 10}%" if tenths % 10 == 0 else f"{tenths // 10}.{tenths % 10}%"
        return text.replace(".", ",") if self.code == "vi" else text

    def percent_value(self, pct: float) -> str:
        """A configured percentage such as a target: 95 -> "95%", 99.5 -> "99,5%" in Vietnamese."""
        text = f"{pct:.1f}".removesuffix(".0") + "%"
        return text.replace(".", ",") if self.code == "vi" else text

    def money(self, value: int | None) -> str:
        if value is None:
            return "–"
        return f"{self.number(value)} ₫" if self.code == "vi" else f"{self.number(value)} VND"

    def date(self, value: dt.date | None) -> str:
        if value is None:
            return "–"
        return value.strftime("%d/%m/%Y") if self.code == "vi" else value.isoformat()

    def datetime(self, value: dt.datetime | None) -> str:
        if value is None:
            return "–"
        # SQLite hands stored times back without a zone; they were written in UTC.
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        local = aware.astimezone(_VIETNAM)
        return local.strftime("%d/%m/%Y %H:%M") if self.code == "vi" else local.strftime("%Y-%m-%d %H:%M")

