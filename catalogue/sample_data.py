"""The facts the sample catalogue is shaped by: province figures, old units, specialities, names.

Figures come from the provincial reports in ocop.md (Đồng Tháp after the 2025 merger: 1,002 products,
799/199/4 by stars, 448 producers; Cà Mau with Bạc Liêu: 354, 273/79/2; Cao Bằng: 144, 131/13/0,
91 producers). Where a report gives no figure (Cà Mau's producers, producer kinds outside Đồng
Tháp) the national 2024 mix is used. Administrative and tax-office codes are plausible, not official.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalogue.records import ProducerKind


@dataclass(frozen=True)
class District:
    name: str                      # as the old certificate reads, e.g. "huyện Tháp Mười"
    code: str                      # 3-digit administrative code, part of the OCOP product code
    communes_old: tuple[str, ...]
    communes_new: tuple[str, ...]  # the post-2025 communes the old ones went into


@dataclass(frozen=True)
class OldProvince:
    name: str
    admin_code: str                # 2 digits, first part of the OCOP product code
    tax_prefix: str                # first two digits of tax codes registered there
    id_prefix: str                 # first three digits of personal ids issued there
    share: float                   # share of the new province's producers
    districts: tuple[District, ...]
    hamlet: str = "Ấp"             # the word for a hamlet: "Ấp" in the Mekong delta, "Xóm" in the north


@dataclass(frozen=True)
class Template:
    name: str                      # "{place}" is replaced by the producer's district or commune
    group: str
    packs: tuple[tuple[str, int, int, int], ...]  # (pack size, shipping weight g, price low, price high)
    blurb: str
    weight: float = 1.0            # relative frequency among the province's products
    only_in: str | None = None     # old province the speciality belongs to


@dataclass(frozen=True)
class ProvinceProfile:
    name: str
    products: int
    stars: tuple[int, int, int]    # how many 3★, 4★, 5★
    producers: dict[ProducerKind, int]
    old_provinces: tuple[OldProvince, ...]
    templates: tuple[Template, ...]
    tourism: tuple[tuple[str, str], ...]         # (service name, old province)
    five_star_templates: tuple[str, ...] = ()     # specialities that hold the 5★ ratings
    gs1_company_base: int = 100_000


def _d(name: str, code: str, old: str, new: str) -> District:
    return District(name, code, tuple(old.split(", ")), tuple(new.split(", ")))


DONG_THAP_OLD = OldProvince("Đồng Tháp", "87", "14", "087", 0.58, (
    _d("thành phố Cao Lãnh", "866", "phường 1, phường Mỹ Phú, xã Mỹ Trà, xã Hòa An", "phường Cao Lãnh, phường Mỹ Trà"),
    _d("thành phố Sa Đéc", "867", "phường 1, xã Tân Quy Đông, xã Tân Khánh Đông", "phường Sa Đéc"),
    _d("thành phố Hồng Ngự", "868", "phường An Lạc, xã Bình Thạnh", "phường Hồng Ngự, phường An Bình"),
    _d("huyện Tân Hồng", "869", "thị trấn Sa Rài, xã Tân Công Chí, xã Thông Bình", "xã Tân Hồng, xã Tân Thành"),
    _d("huyện Hồng Ngự", "870", "xã Thường Phước 1, xã Long Khánh A", "xã Thường Phước, xã Long Khánh"),
    _d("huyện Tam Nông", "871", "thị trấn Tràm Chim, xã Phú Đức, xã Phú Thọ", "xã Tràm Chim, xã Phú Thọ"),
    _d("huyện Tháp Mười", "872", "thị trấn Mỹ An, xã Mỹ Hòa, xã Trường Xuân, xã Thanh Mỹ", "xã Tháp Mười, xã Mỹ Quí, xã Trường Xuân"),
    _d("huyện Cao Lãnh", "873", "xã Mỹ Xương, xã Mỹ Thọ, xã Bình Hàng Trung, xã Tân Nghĩa", "xã Mỹ Thọ, xã Mỹ Hiệp, xã Ba Sao"),
    _d("huyện Thanh Bình", "874", "thị trấn Thanh Bình, xã Tân Thạnh, xã Bình Thành", "xã Thanh Bình, xã Tân Thạnh"),
    _d("huyện Lấp Vò", "875", "thị trấn Lấp Vò, xã Định Yên, xã Mỹ An Hưng B", "xã Lấp Vò, xã Mỹ An Hưng"),
    _d("huyện Lai Vung", "876", "thị trấn Lai Vung, xã Long Hậu, xã Tân Thành, xã Vĩnh Thới", "xã Lai Vung, xã Hòa Long, xã Phong Hòa"),
    _d("huyện Châu Thành", "877", "thị trấn Cái Tàu Hạ, xã An Nhơn, xã Tân Nhuận Đông", "xã Tân Nhuận Đông, xã Phú Hựu"),
))

TIEN_GIANG_OLD = OldProvince("Tiền Giang", "82", "12", "082", 0.42, (
    _d("thành phố Mỹ Tho", "815", "phường 5, xã Trung An, xã Thới Sơn", "phường Mỹ Tho, phường Thới Sơn"),
    _d("thị xã Gò Công", "816", "phường 2, xã Long Hưng", "phường Gò Công, phường Long Thuận"),
    _d("thị xã Cai Lậy", "817", "phường 1, xã Long Khánh", "phường Cai Lậy, phường Nhị Quý"),
    _d("huyện Tân Phước", "818", "thị trấn Mỹ Phước, xã Tân Hòa Thành", "xã Tân Phước 1, xã Hưng Thạnh"),
    _d("huyện Cái Bè", "819", "thị trấn Cái Bè, xã Hòa Khánh, xã Đông Hòa Hiệp", "xã Cái Bè, xã Hậu Mỹ, xã Thiện Trí"),
    _d("huyện Cai Lậy", "820", "xã Long Trung, xã Ngũ Hiệp, xã Tam Bình", "xã Ngũ Hiệp, xã Long Tiên"),
    _d("huyện Châu Thành", "821", "thị trấn Tân Hiệp, xã Vĩnh Kim, xã Long Định", "xã Tân Hương, xã Kim Sơn, xã Vĩnh Kim"),
    _d("huyện Chợ Gạo", "822", "thị trấn Chợ Gạo, xã Hòa Định, xã Lương Hòa Lạc", "xã Chợ Gạo, xã Mỹ Tịnh An"),
    _d("huyện Gò Công Tây", "823", "thị trấn Vĩnh Bình, xã Long Bình", "xã Vĩnh Bình, xã Đồng Sơn"),
    _d("huyện Gò Công Đông", "824", "thị trấn Tân Hòa, xã Vàm Láng, xã Kiểng Phước", "xã Gò Công Đông, xã Tân Điền"),
    _d("huyện Tân Phú Đông", "825", "xã Phú Thạnh, xã Tân Thới", "xã Tân Phú Đông, xã Tân Thới"),
))

CA_MAU_OLD = OldProvince("Cà Mau", "96", "20", "096", 0.59, (
    _d("thành phố Cà Mau", "964", "phường 1, phường 8, xã Tắc Vân", "phường An Xuyên, phường Tân Thành"),
    _d("huyện U Minh", "966", "thị trấn U Minh, xã Khánh Hòa, xã Nguyễn Phích", "xã U Minh, xã Nguyễn Phích"),
    _d("huyện Thới Bình", "967", "thị trấn Thới Bình, xã Biển Bạch", "xã Thới Bình, xã Biển Bạch"),
    _d("huyện Trần Văn Thời", "968", "thị trấn Sông Đốc, xã Khánh Bình Tây", "xã Sông Đốc, xã Trần Văn Thời"),
    _d("huyện Cái Nước", "969", "thị trấn Cái Nước, xã Hưng Mỹ", "xã Cái Nước, xã Hưng Mỹ"),
    _d("huyện Đầm Dơi", "970", "thị trấn Đầm Dơi, xã Tân Thuận, xã Tạ An Khương", "xã Đầm Dơi, xã Tân Thuận"),
    _d("huyện Năm Căn", "971", "thị trấn Năm Căn, xã Hàm Rồng", "xã Năm Căn, xã Tam Giang"),
    _d("huyện Phú Tân", "972", "thị trấn Cái Đôi Vàm, xã Phú Mỹ", "xã Cái Đôi Vàm, xã Phú Mỹ"),
    _d("huyện Ngọc Hiển", "973", "thị trấn Rạch Gốc, xã Đất Mũi", "xã Đất Mũi, xã Tân Ân"),
))

BAC_LIEU_OLD = OldProvince("Bạc Liêu", "95", "19", "095", 0.41, (
    _d("thành phố Bạc Liêu", "954", "phường 2, phường Nhà Mát, xã Hiệp Thành", "phường Bạc Liêu, phường Hiệp Thành"),
    _d("huyện Hồng Dân", "956", "thị trấn Ngan Dừa, xã Ninh Quới", "xã Hồng Dân, xã Ninh Quới"),
    _d("huyện Phước Long", "957", "thị trấn Phước Long, xã Vĩnh Phú Tây", "xã Phước Long, xã Vĩnh Phước"),
    _d("huyện Vĩnh Lợi", "958", "thị trấn Châu Hưng, xã Châu Thới", "xã Châu Thới, xã Hưng Thành"),
    _d("thị xã Giá Rai", "959", "phường 1, xã Phong Thạnh Đông", "phường Giá Rai, phường Láng Tròn"),
    _d("huyện Đông Hải", "960", "thị trấn Gành Hào, xã Long Điền Tây", "xã Gành Hào, xã Long Điền"),
    _d("huyện Hòa Bình", "961", "thị trấn Hòa Bình, xã Vĩnh Hậu", "xã Hòa Bình, xã Vĩnh Hậu"),
))

CAO_BANG_OLD = OldProvince("Cao Bằng", "04", "48", "004", 1.0, (
    _d("thành phố Cao Bằng", "040", "phường Hợp Giang, phường Sông Hiến, xã Chu Trinh", "phường Thục Phán, phường Nùng Trí Cao"),
    _d("huyện Bảo Lâm", "042", "thị trấn Pác Miầu, xã Lý Bôn", "xã Bảo Lâm, xã Lý Bôn"),
    _d("huyện Bảo Lạc", "043", "thị trấn Bảo Lạc, xã Hồng Trị", "xã Bảo Lạc, xã Hưng Đạo"),
    _d("huyện Hà Quảng", "045", "thị trấn Thông Nông, xã Trường Hà", "xã Hà Quảng, xã Trường Hà"),
    _d("huyện Trùng Khánh", "047", "thị trấn Trùng Khánh, xã Đàm Thủy, xã Chí Viễn", "xã Trùng Khánh, xã Đàm Thủy"),
    _d("huyện Hạ Lang", "048", "thị trấn Thanh Nhật, xã Lý Quốc", "xã Hạ Lang, xã Lý Quốc"),
    _d("huyện Quảng Hòa", "049", "thị trấn Quảng Uyên, xã Phúc Sen", "xã Quảng Uyên, xã Phục Hòa"),
    _d("huyện Hòa An", "051", "thị trấn Nước Hai, xã Hồng Việt", "xã Hòa An, xã Nam Tuấn"),
    _d("huyện Nguyên Bình", "052", "thị trấn Nguyên Bình, xã Phan Thanh, xã Thành Công", "xã Nguyên Bình, xã Phan Thanh"),
    _d("huyện Thạch An", "053", "thị trấn Đông Khê, xã Lê Lai, xã Đức Long", "xã Đông Khê, xã Canh Tân"),
), hamlet="Xóm")

_KEEP_DRY = "Bảo quản nơi khô ráo, thoáng mát, tránh ánh nắng trực tiếp."
_KEEP_COLD = "Bảo quản lạnh từ 0 đến 4 °C, dùng ngay sau khi mở bao bì."

DONG_THAP_TEMPLATES = (
    Template("Gạo ST25 {place}", "I.2.a", (("5 kg", 5200, 150_000, 200_000), ("2 kg", 2100, 60_000, 85_000)),
             "Gạo ST25 trồng theo quy trình an toàn, hạt dài, cơm dẻo thơm. " + _KEEP_DRY, 18),
    Template("Gạo Lúa Tôm {place}", "I.2.a", (("5 kg", 5200, 140_000, 190_000),),
             "Gạo canh tác luân canh lúa tôm, không dùng thuốc bảo vệ thực vật hóa học. " + _KEEP_DRY, 9),
    Template("Gạo hữu cơ {place}", "I.2.a", (("2 kg", 2100, 70_000, 110_000), ("5 kg", 5200, 160_000, 220_000)),
             "Gạo hữu cơ được chứng nhận, xay xát và đóng gói hút chân không. " + _KEEP_DRY, 10),
    Template("Gạo nếp {place}", "I.2.a", (("2 kg", 2100, 50_000, 80_000),),
             "Nếp dẻo thơm dùng nấu xôi, gói bánh tét. " + _KEEP_DRY, 6),
    Template("Hủ tiếu Sa Đéc", "I.3.b", (("500 g", 560, 30_000, 45_000), ("1 kg", 1080, 55_000, 80_000)),
             "Hủ tiếu làm từ gạo nguyên chất theo nghề truyền thống Sa Đéc, sợi dai, không hàn the. " + _KEEP_DRY, 40),
    Template("Bánh phồng tôm {place}", "I.3.d", (("200 g", 240, 40_000, 65_000), ("500 g", 560, 90_000, 140_000)),
             "Bánh phồng làm từ tôm tươi và bột mì, chiên giòn xốp. " + _KEEP_DRY, 45),
    Template("Bánh phồng nếp {place}", "I.3.b", (("500 g", 560, 45_000, 70_000),),
             "Bánh phồng nếp cán tay, nướng than hoặc chiên đều thơm béo. " + _KEEP_DRY, 35),
    Template("Hạt sen sấy {place}", "I.3.c", (("100 g", 130, 55_000, 75_000), ("200 g", 240, 100_000, 140_000)),
             "Hạt sen chọn từ đầm sen Tháp Mười, sấy giòn tự nhiên, không chất bảo quản. " + _KEEP_DRY, 18),
    Template("Trà tim sen {place}", "I.5.b", (("60 g", 90, 95_000, 115_000), ("100 g", 140, 140_000, 180_000)),
             "Tim sen sao khô, pha trà giúp dễ ngủ, thanh nhiệt. " + _KEEP_DRY, 12),
    Template("Trà lá sen {place}", "I.5.b", (("100 g", 140, 60_000, 90_000),),
             "Lá sen non thái sợi, sao vàng hạ thổ. " + _KEEP_DRY, 8),
    Template("Mứt sen {place}", "I.3.c", (("200 g", 260, 60_000, 85_000),),
             "Mứt hạt sen sên đường phèn, dẻo bùi, ít ngọt. " + _KEEP_DRY, 6),
    Template("Sữa hạt sen", "II.2.b", (("500 ml", 620, 35_000, 55_000),),
             "Sữa hạt sen thanh trùng, không đường hóa học. " + _KEEP_COLD, 4),
    Template("Bột ngó sen {place}", "I.3.c", (("200 g", 240, 90_000, 130_000),),
             "Bột ngó sen nguyên chất, pha nước ấm dùng ngay. " + _KEEP_DRY, 5),
    Template("Xoài cát Hòa Lộc", "I.1.a", (("1 kg", 1150, 70_000, 150_000), ("5 kg", 5400, 320_000, 600_000)),
             "Xoài cát Hòa Lộc chín cây, thịt vàng, ngọt thơm, trồng theo VietGAP.", 9),
    Template("Xoài sấy dẻo {place}", "I.3.c", (("200 g", 240, 55_000, 80_000), ("500 g", 560, 120_000, 170_000)),
             "Xoài chín sấy dẻo, giữ vị chua ngọt tự nhiên. " + _KEEP_DRY, 4),
    Template("Khô cá tra phồng {place}", "I.3.d", (("500 g", 560, 110_000, 160_000),),
             "Khô cá tra phồng phơi nắng, nướng hoặc chiên đều ngon. " + _KEEP_COLD, 4),
    Template("Chả cá thác lác {place}", "I.3.d", (("500 g", 600, 90_000, 130_000),),
             "Chả cá thác lác quết tay, dai ngọt tự nhiên. " + _KEEP_COLD, 2),
    Template("Nem Lai Vung", "I.3.d", (("500 g", 560, 60_000, 90_000),),
             "Nem chua Lai Vung gói lá chuối, lên men tự nhiên. " + _KEEP_COLD, 40),
    Template("Quýt hồng Lai Vung", "I.1.a", (("2 kg", 2200, 90_000, 160_000),),
             "Quýt hồng vỏ mỏng, múi mọng, vị ngọt thanh.", 30),
    Template("Nước mắm cá linh {place}", "I.4.a", (("500 ml", 720, 60_000, 120_000),),
             "Nước mắm cá linh ủ chượp truyền thống, màu cánh gián, hậu vị ngọt. " + _KEEP_DRY, 35),
    Template("Mắm cá linh {place}", "I.4.a", (("500 g", 650, 70_000, 110_000),),
             "Mắm cá linh ủ chín, dùng kho quẹt, lẩu mắm. " + _KEEP_COLD, 25),
    Template("Mật ong hoa tràm {place}", "I.2.b", (("500 ml", 760, 180_000, 280_000),),
             "Mật ong nuôi trong rừng tràm, nguyên chất. " + _KEEP_DRY, 30),
    Template("Chuối sấy {place}", "I.3.c", (("250 g", 300, 40_000, 60_000),),
             "Chuối xiêm chín sấy dẻo, không đường. " + _KEEP_DRY, 35),
    Template("Khô bổi Gò Công", "I.3.d", (("500 g", 560, 120_000, 180_000),), "Khô cá đù một nắng. " + _KEEP_COLD,
             20, "Tiền Giang"),
    Template("Mắm tôm chà Gò Công", "I.4.a", (("500 g", 650, 80_000, 130_000),),
             "Mắm tôm chà làm từ tôm đất và thịt ba rọi. " + _KEEP_COLD, 20, "Tiền Giang"),
    Template("Hủ tiếu Mỹ Tho", "I.3.b", (("500 g", 560, 30_000, 45_000),),
             "Hủ tiếu gạo sợi nhỏ, dai, nấu không nát. " + _KEEP_DRY, 25, "Tiền Giang"),
    Template("Thanh long Chợ Gạo", "I.1.a", (("2 kg", 2200, 50_000, 90_000),),
             "Thanh long ruột đỏ trồng theo VietGAP.", 30, "Tiền Giang"),
    Template("Vú sữa Lò Rèn Vĩnh Kim", "I.1.a", (("2 kg", 2200, 90_000, 150_000),),
             "Vú sữa Lò Rèn trái to, ngọt mát.", 20, "Tiền Giang"),
    Template("Sơ ri Gò Công sấy", "I.3.c", (("200 g", 240, 45_000, 65_000),), "Sơ ri chín sấy dẻo. " + _KEEP_DRY,
             15, "Tiền Giang"),
    Template("Kẹo dừa {place}", "I.3.c", (("500 g", 560, 45_000, 70_000),), "Kẹo dừa sữa nấu thủ công. " + _KEEP_DRY, 35),
    Template("Cà phê bột {place}", "I.6", (("500 g", 560, 90_000, 150_000),),
             "Cà phê rang mộc, xay vừa, pha phin. " + _KEEP_DRY, 25),
    Template("Trà mãng cầu {place}", "I.5.b", (("100 g", 140, 60_000, 90_000),),
             "Lá và trái mãng cầu xiêm sấy lạnh pha trà. " + _KEEP_DRY, 25),
    Template("Rượu nếp {place}", "II.1.a", (("500 ml", 900, 60_000, 120_000),),
             "Rượu nếp ủ men lá truyền thống, chưng cất nhiều lần. Không dành cho người dưới 18 tuổi.", 30),
    Template("Nước ép khóm {place}", "II.2.b", (("330 ml", 420, 15_000, 25_000),),
             "Nước ép khóm Tân Phước thanh trùng. " + _KEEP_COLD, 20),
    Template("Cao lá sen {place}", "III.1", (("100 g", 160, 180_000, 250_000),),
             "Cao lá sen cô đặc hỗ trợ giấc ngủ. " + _KEEP_DRY, 3),
    Template("Tinh dầu sả {place}", "III.3", (("50 ml", 120, 60_000, 95_000),),
             "Tinh dầu sả chanh chưng cất hơi nước, đuổi muỗi, khử mùi. " + _KEEP_DRY, 20),
    Template("Chiếu Định Yên", "IV.1", (("1,6 m x 2 m", 1500, 250_000, 450_000),),
             "Chiếu cói dệt tay làng nghề Định Yên, hoa văn in màu bền.", 20, "Đồng Tháp"),
    Template("Giỏ lục bình {place}", "IV.1", (("1 cái", 600, 80_000, 180_000),),
             "Giỏ đan từ cây lục bình phơi khô, bền, thân thiện môi trường.", 25),
    Template("Cúc mâm xôi Sa Đéc", "V.1", (("1 chậu", 3000, 120_000, 250_000),),
             "Cúc mâm xôi làng hoa Sa Đéc, bông tròn đều, trồng chậu.", 20, "Đồng Tháp"),
    Template("Hoa hồng Sa Đéc", "V.1", (("1 chậu", 2500, 90_000, 200_000),), "Hồng chậu nhiều màu làng hoa Sa Đéc.",
             15, "Đồng Tháp"),
)

CA_MAU_TEMPLATES = (
    Template("Muối hạt Bạc Liêu", "I.4.b", (("1 kg", 1050, 15_000, 30_000),),
             "Muối hạt phơi cát truyền thống, vị mặn dịu. " + _KEEP_DRY, 1.2, "Bạc Liêu"),
    Template("Muối tinh sấy Bạc Liêu", "I.4.b", (("500 g", 540, 12_000, 25_000),),
             "Muối tinh sấy khô, hạt mịn. " + _KEEP_DRY, 1.0, "Bạc Liêu"),
    Template("Muối ớt tôm {place}", "I.4.b", (("200 g", 260, 30_000, 55_000),), "Muối ớt tôm chấm trái cây. " + _KEEP_DRY, 0.6),
    Template("Tôm khô {place}", "I.3.d", (("500 g", 560, 600_000, 900_000), ("250 g", 290, 300_000, 450_000)),
             "Tôm đất phơi khô, thịt ngọt, đỏ tự nhiên, không phẩm màu. " + _KEEP_COLD, 2.5),
    Template("Khô cá khoai {place}", "I.3.d", (("500 g", 560, 180_000, 260_000),), "Khô cá khoai một nắng. " + _KEEP_COLD, 1.0),
    Template("Khô cá sặc rằn U Minh", "I.3.d", (("500 g", 560, 150_000, 220_000),), "Khô cá sặc rằn phơi nắng. " + _KEEP_COLD,
             0.8, "Cà Mau"),
    Template("Ba khía muối Rạch Gốc", "I.3.d", (("500 g", 650, 60_000, 100_000),), "Ba khía muối ăn liền. " + _KEEP_COLD,
             0.5, "Cà Mau"),
    Template("Chả tôm {place}", "I.3.d", (("500 g", 600, 150_000, 220_000),), "Chả tôm đất quết tay. " + _KEEP_COLD, 0.8),
    Template("Bánh phồng tôm {place}", "I.3.d", (("200 g", 240, 45_000, 70_000),), "Bánh phồng tôm Cà Mau. " + _KEEP_DRY, 1.2),
    Template("Mật ong U Minh Hạ", "I.2.b", (("500 ml", 760, 250_000, 400_000),), "Mật ong rừng tràm U Minh Hạ. " + _KEEP_DRY,
             1.0, "Cà Mau"),
    Template("Nước mắm {place}", "I.4.a", (("500 ml", 720, 50_000, 110_000),), "Nước mắm cá cơm ủ chượp. " + _KEEP_DRY, 0.8),
    Template("Mắm tôm chua {place}", "I.4.a", (("500 g", 650, 70_000, 120_000),), "Mắm tôm chua đu đủ. " + _KEEP_COLD, 0.5),
    Template("Gạo Một Bụi Đỏ {place}", "I.2.a", (("5 kg", 5200, 130_000, 180_000),), "Gạo đỏ vùng lúa tôm. " + _KEEP_DRY, 1.0),
    Template("Nhãn cổ Bạc Liêu sấy", "I.3.c", (("200 g", 240, 70_000, 100_000),), "Long nhãn sấy. " + _KEEP_DRY, 0.5, "Bạc Liêu"),
    Template("Trà khổ qua rừng {place}", "I.5.b", (("100 g", 140, 50_000, 80_000),), "Khổ qua rừng sấy khô. " + _KEEP_DRY, 0.6),
    Template("Rượu Hòa Bình", "II.1.a", (("500 ml", 900, 60_000, 100_000),),
             "Rượu gạo truyền thống. Không dành cho người dưới 18 tuổi.", 0.4, "Bạc Liêu"),
    Template("Tinh dầu tràm {place}", "III.3", (("50 ml", 120, 60_000, 100_000),), "Tinh dầu tràm gió nguyên chất.", 0.5),
    Template("Giỏ đan lục bình {place}", "IV.1", (("1 cái", 600, 70_000, 160_000),), "Sản phẩm đan lát thủ công.", 0.4),
)

CAO_BANG_TEMPLATES = (
    Template("Miến dong Nguyên Bình", "I.3.c", (("500 g", 560, 65_000, 120_000), ("1 kg", 1080, 120_000, 200_000)),
             "Miến làm từ tinh bột dong riềng, sợi dai, không chất tẩy trắng. " + _KEEP_DRY, 2.0),
    Template("Thạch đen Thạch An", "I.3.c", (("500 g", 560, 50_000, 80_000),),
             "Cây thạch đen phơi khô nấu thạch giải nhiệt. " + _KEEP_DRY, 1.5),
    Template("Khẩu sli Trùng Khánh", "I.3.b", (("300 g", 360, 60_000, 90_000),),
             "Kẹo khẩu sli làm từ gạo nếp, mạch nha và lạc rang. " + _KEEP_DRY, 1.0),
    Template("Hạt dẻ Trùng Khánh", "I.1.a", (("1 kg", 1100, 150_000, 250_000),), "Hạt dẻ rang, bùi thơm. " + _KEEP_DRY, 1.5),
    Template("Lạp sườn {place}", "I.3.d", (("500 g", 560, 120_000, 180_000),),
             "Lạp sườn hun khói bếp củi, thịt lợn đen bản địa. " + _KEEP_COLD, 1.5),
    Template("Chè dây {place}", "I.5.b", (("200 g", 240, 60_000, 100_000),), "Chè dây rừng sao khô. " + _KEEP_DRY, 1.0),
    Template("Trà hoa vàng {place}", "I.5.b", (("50 g", 90, 250_000, 400_000),), "Hoa trà vàng sấy lạnh. " + _KEEP_DRY, 0.6),
    Template("Rượu men lá {place}", "II.1.a", (("500 ml", 900, 60_000, 110_000),),
             "Rượu ngô ủ men lá rừng. Không dành cho người dưới 18 tuổi.", 1.0),
    Template("Gạo nếp Pì Pất {place}", "I.2.a", (("2 kg", 2100, 90_000, 140_000),), "Nếp đặc sản vùng cao. " + _KEEP_DRY, 0.8),
    Template("Bánh gio {place}", "I.3.b", (("1 kg", 1100, 50_000, 80_000),), "Bánh gio nước tro. " + _KEEP_COLD, 0.5),
    Template("Mật ong {place}", "I.2.b", (("500 ml", 760, 200_000, 350_000),), "Mật ong hoa rừng. " + _KEEP_DRY, 0.8),
    Template("Hương Phja Thắp", "IV.1", (("1 bó 500 g", 600, 50_000, 90_000),),
             "Hương thơm làm thủ công từ bột cây rừng, làng nghề Phja Thắp.", 0.5),
    Template("Dao Phúc Sen", "IV.1", (("1 con", 700, 150_000, 350_000),), "Dao rèn thủ công làng nghề Phúc Sen.", 0.6),
    Template("Thổ cẩm {place}", "IV.2", (("1 tấm", 400, 200_000, 600_000),), "Vải thổ cẩm dệt tay.", 0.5),
)

DONG_THAP = ProvinceProfile(
    name="Đồng Tháp", products=1002, stars=(799, 199, 4),
    producers={ProducerKind.COOPERATIVE: 53, ProducerKind.ENTERPRISE: 120, ProducerKind.HOUSEHOLD: 273,
               ProducerKind.COOPERATIVE_GROUP: 2},
    old_provinces=(DONG_THAP_OLD, TIEN_GIANG_OLD), templates=DONG_THAP_TEMPLATES,
    tourism=(("Khu du lịch Đồng Sen Tháp Mười", "Đồng Tháp"), ("Làng hoa kiểng Sa Đéc", "Đồng Tháp"),
             ("Vườn quốc gia Tràm Chim", "Đồng Tháp"), ("Khu di tích Gò Tháp", "Đồng Tháp"),
             ("Du lịch sinh thái Gáo Giồng", "Đồng Tháp"), ("Cù lao Thới Sơn", "Tiền Giang"),
             ("Làng cổ Đông Hòa Hiệp", "Tiền Giang")),
    five_star_templates=("Hạt sen sấy {place}", "Xoài cát Hòa Lộc", "Bánh phồng tôm {place}"),
    gs1_company_base=100_000,
)

CA_MAU = ProvinceProfile(
    name="Cà Mau", products=354, stars=(273, 79, 2),
    producers={ProducerKind.COOPERATIVE: 52, ProducerKind.ENTERPRISE: 35, ProducerKind.HOUSEHOLD: 70,
               ProducerKind.COOPERATIVE_GROUP: 3},
    old_provinces=(CA_MAU_OLD, BAC_LIEU_OLD), templates=CA_MAU_TEMPLATES,
    tourism=(("Khu du lịch Mũi Cà Mau", "Cà Mau"), ("Vườn quốc gia U Minh Hạ", "Cà Mau"),
             ("Vườn nhãn cổ Bạc Liêu", "Bạc Liêu")),
    five_star_templates=("Muối hạt Bạc Liêu", "Muối tinh sấy Bạc Liêu"),
    gs1_company_base=400_000,
)

CAO_BANG = ProvinceProfile(
    name="Cao Bằng", products=144, stars=(131, 13, 0),
    producers={ProducerKind.COOPERATIVE: 38, ProducerKind.ENTERPRISE: 16, ProducerKind.HOUSEHOLD: 34,
               ProducerKind.COOPERATIVE_GROUP: 3},
    old_provinces=(CAO_BANG_OLD,), templates=CAO_BANG_TEMPLATES,
    tourism=(("Làng đá Khuổi Ky", "Cao Bằng"), ("Làng nghề hương Phja Thắp", "Cao Bằng")),
    gs1_company_base=700_000,
)

PROFILES = {profile.name: profile for profile in (DONG_THAP, CA_MAU, CAO_BANG)}

FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ", "Ngô", "Hồ",
                "Dương", "Lý", "Nông", "Hoàng", "Lương")
MIDDLE_NAMES = ("Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hữu", "Quốc", "Kim", "Hoàng", "Thị Kim")
GIVEN_NAMES = ("An", "Bình", "Cường", "Dũng", "Hạnh", "Hoa", "Hùng", "Lan", "Linh", "Long", "Mai", "Nam", "Phúc",
               "Tâm", "Thảo", "Tuấn", "Trang", "Yến", "Hòa", "Lộc", "Hiền", "Nhung", "Sơn", "Thủy", "Khánh")
TRADE_NAMES = ("Sa Giang", "Phú Thạnh", "Hồng Phát", "Việt Sen", "Kim Anh", "Minh Tâm", "Tân Thành", "Phước Lộc",
               "Mekong", "Hương Quê", "Đất Phương Nam", "Sen Hồng", "Gia Phát", "An Phú", "Thành Đạt", "Hai Lúa")
COOPERATIVE_TRADES = ("Nông nghiệp", "Dịch vụ nông nghiệp", "Nông nghiệp sạch", "Chế biến nông sản", "Dịch vụ tổng hợp",
                      "Nông lâm nghiệp", "Sản xuất kinh doanh")
ENTERPRISE_FORMS = ("Công ty TNHH", "Công ty Cổ phần", "Doanh nghiệp tư nhân")
ENTERPRISE_TRADES = ("Thực phẩm", "Nông sản", "Xuất nhập khẩu", "Thương mại Dịch vụ", "Chế biến Thực phẩm")

# --- as real provincial lists write things (the realistic sample) ------------------------------------

# Certification claims typed into product names; {stars} and {province} (the old province) are filled in.
NAME_CLAIMS = ("OCOP_ {name}", "OCOP_{name}", "[OCOP {stars}★] {name}", "{name} Đạt chuẩn {stars} sao OCOP quốc gia",
               "OCOP {province} - {name}", "{name} - OCOP {stars} SAO", "{name} (Đạt chuẩn OCOP)", "✓OCOP– {name}")

# Sentences with a contact detail, as producers end their descriptions: one mobile number written three ways.
CONTACT_SENTENCES = ("Liên hệ đặt hàng: {mobile_spaced}.", "Hotline/Zalo: {mobile_dotted}.",
                     "Đặt hàng qua Zalo: zalo.me/{mobile_plain}.", "Fanpage: https://www.facebook.com/{handle}.",
                     "Xem đường đến cơ sở: https://maps.app.goo.gl/{map_code}.", "Điện thoại: (+84) {landline}.")
MOBILE_PREFIXES = ("090", "091", "093", "094", "097", "098", "032", "035", "070", "077", "083", "088")

# Containers producers name with the amount: "Túi 500g", "chai 500ml", "bao 5kg".
MASS_CONTAINERS = ("Túi", "Hộp", "gói", "")
SACK_CONTAINERS = ("Bao", "Túi", "")
LIQUID_CONTAINERS = ("chai", "Chai", "")

# Product photos: (width, height, format) as a producer's camera or phone saves them; every one is at
# least 500 px on its longer side, the strictest channel's minimum (Tiki).
PHOTO_SHAPES = ((1200, 1200, "jpg"), (1000, 1000, "jpg"), (1200, 900, "jpg"), (900, 1200, "jpg"),
                (1600, 1200, "jpg"), (800, 800, "png"))
