"""Reference data of the simulated Department of Health: procedures, units and their successors."""

from __future__ import annotations

from dataclasses import dataclass

FIELDS: dict[str, str] = {
    "KCB": "Khám bệnh, chữa bệnh",
    "DUOC": "Dược phẩm",
    "ATTP": "An toàn thực phẩm và dinh dưỡng",
    "GDYK": "Giám định y khoa",
    "YTDP": "Y tế dự phòng",
    "TTBYT": "Trang thiết bị y tế",
    "MYPHAM": "Mỹ phẩm",
    "YDCT": "Y, dược cổ truyền",
    "BUCXA": "An toàn bức xạ trong y tế",
    "DSSKSS": "Dân số - Sức khỏe sinh sản",
}


@dataclass(frozen=True, slots=True)
class Procedure:
    """One administrative procedure (TTHC) of the catalogue."""

    code: str
    field: str
    level: str
    days: int
    fee: bool
    business: float
    weight: float
    name: str
    result: str


_P = Procedure
PROCEDURES: tuple[Procedure, ...] = (
    _P("1.012245", "KCB", "3", 20, True, 0.0, 6.0,
       "Cấp mới giấy phép hành nghề đối với chức danh chuyên môn là bác sỹ, y sỹ",
       "Giấy phép hành nghề"),
    _P("1.012246", "KCB", "3", 20, True, 0.0, 6.0,
       "Cấp mới giấy phép hành nghề đối với chức danh chuyên môn là điều dưỡng, hộ sinh, kỹ thuật y",
       "Giấy phép hành nghề"),
    _P("1.012247", "KCB", "4", 10, True, 0.0, 2.0,
       "Cấp lại giấy phép hành nghề khám bệnh, chữa bệnh bị mất hoặc hư hỏng",
       "Giấy phép hành nghề"),
    _P("1.012248", "KCB", "4", 10, True, 0.0, 2.5,
       "Điều chỉnh giấy phép hành nghề khám bệnh, chữa bệnh",
       "Giấy phép hành nghề"),
    _P("1.012249", "KCB", "4", 10, True, 0.0, 3.0,
       "Gia hạn giấy phép hành nghề khám bệnh, chữa bệnh",
       "Giấy phép hành nghề"),
    _P("1.012255", "KCB", "3", 45, True, 1.0, 0.6,
       "Cấp mới giấy phép hoạt động đối với phòng khám đa khoa",
       "Giấy phép hoạt động"),
    _P("1.012256", "KCB", "3", 45, True, 1.0, 1.5,
       "Cấp mới giấy phép hoạt động đối với phòng khám chuyên khoa",
       "Giấy phép hoạt động"),
    _P("1.012259", "KCB", "3", 45, True, 1.0, 0.8,
       "Cấp giấy phép hoạt động đối với cơ sở dịch vụ y tế",
       "Giấy phép hoạt động"),
    _P("1.012262", "KCB", "3", 20, True, 1.0, 1.0,
       "Điều chỉnh giấy phép hoạt động khi thay đổi quy mô, phạm vi hoạt động chuyên môn",
       "Giấy phép hoạt động"),
    _P("1.012268", "YDCT", "3", 45, True, 1.0, 0.5,
       "Cấp giấy phép hoạt động đối với phòng chẩn trị y học cổ truyền",
       "Giấy phép hoạt động"),
    _P("1.012270", "KCB", "3", 45, True, 1.0, 0.2,
       "Cấp giấy phép hoạt động đối với cơ sở dịch vụ cấp cứu, hỗ trợ vận chuyển người bệnh",
       "Giấy phép hoạt động"),
    _P("1.002467", "KCB", "4", 10, False, 1.0, 0.4,
       "Công bố cơ sở đủ điều kiện thực hiện khám sức khỏe",
       "Văn bản công bố"),
    _P("1.002470", "KCB", "2", 10, False, 0.0, 0.1,
       "Cho phép người hành nghề được tiếp tục hành nghề khám bệnh, chữa bệnh sau khi bị đình chỉ",
       "Văn bản cho phép"),
    _P("1.004616", "DUOC", "4", 20, True, 0.0, 5.0,
       "Cấp Chứng chỉ hành nghề dược theo hình thức xét hồ sơ",
       "Chứng chỉ hành nghề dược"),
    _P("1.004617", "DUOC", "4", 5, True, 0.0, 1.0,
       "Cấp lại Chứng chỉ hành nghề dược bị mất hoặc hư hỏng",
       "Chứng chỉ hành nghề dược"),
    _P("1.004618", "DUOC", "4", 5, True, 0.0, 1.2,
       "Điều chỉnh nội dung Chứng chỉ hành nghề dược",
       "Chứng chỉ hành nghề dược"),
    _P("1.004590", "DUOC", "3", 20, True, 1.0, 5.0,
       "Cấp Giấy chứng nhận đủ điều kiện kinh doanh dược cho cơ sở bán lẻ thuốc (nhà thuốc)",
       "Giấy chứng nhận đủ điều kiện kinh doanh dược"),
    _P("1.004591", "DUOC", "3", 20, True, 1.0, 3.0,
       "Cấp Giấy chứng nhận đủ điều kiện kinh doanh dược cho quầy thuốc",
       "Giấy chứng nhận đủ điều kiện kinh doanh dược"),
    _P("1.004593", "DUOC", "4", 7, True, 1.0, 0.8,
       "Cấp lại Giấy chứng nhận đủ điều kiện kinh doanh dược",
       "Giấy chứng nhận đủ điều kiện kinh doanh dược"),
    _P("1.004594", "DUOC", "4", 10, True, 1.0, 1.5,
       "Điều chỉnh nội dung Giấy chứng nhận đủ điều kiện kinh doanh dược",
       "Giấy chứng nhận đủ điều kiện kinh doanh dược"),
    _P("1.004596", "DUOC", "3", 20, True, 1.0, 3.5,
       "Đánh giá đáp ứng Thực hành tốt cơ sở bán lẻ thuốc (GPP)",
       "Giấy chứng nhận đạt GPP"),
    _P("1.004602", "DUOC", "3", 7, False, 1.0, 0.3,
       "Cho phép hủy thuốc gây nghiện, thuốc hướng thần, tiền chất dùng làm thuốc",
       "Văn bản cho phép hủy thuốc"),
    _P("1.004604", "DUOC", "4", 10, True, 1.0, 0.7,
       "Cấp giấy xác nhận nội dung thông tin, quảng cáo thuốc",
       "Giấy xác nhận nội dung quảng cáo"),
    _P("1.004605", "DUOC", "4", 5, False, 1.0, 0.3,
       "Công bố cơ sở kinh doanh có tổ chức kệ thuốc",
       "Văn bản công bố"),
    _P("1.004607", "DUOC", "3", 5, False, 1.0, 1.0,
       "Duyệt dự trù thuốc gây nghiện, thuốc hướng thần, thuốc tiền chất",
       "Văn bản duyệt dự trù"),
    _P("2.000640", "ATTP", "3", 20, True, 1.0, 3.0,
       "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm đối với cơ sở sản xuất thực phẩm",
       "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm"),
    _P("2.000641", "ATTP", "3", 20, True, 1.0, 5.0,
       "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm đối với cơ sở kinh doanh dịch vụ ăn uống",
       "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm"),
    _P("2.000642", "ATTP", "4", 5, True, 1.0, 1.0,
       "Cấp lại Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
       "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm"),
    _P("2.000655", "ATTP", "4", 7, True, 1.0, 1.5,
       "Đăng ký bản công bố sản phẩm đối với thực phẩm dinh dưỡng y học",
       "Giấy tiếp nhận đăng ký bản công bố sản phẩm"),
    _P("2.000656", "ATTP", "4", 10, True, 1.0, 1.2,
       "Cấp giấy xác nhận nội dung quảng cáo thực phẩm",
       "Giấy xác nhận nội dung quảng cáo thực phẩm"),
    _P("2.000658", "ATTP", "3", 20, True, 1.0, 1.5,
       "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm đối với bếp ăn tập thể",
       "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm"),
    _P("2.000661", "ATTP", "4", 5, True, 0.6, 2.5,
       "Xác nhận kiến thức về an toàn thực phẩm",
       "Giấy xác nhận kiến thức an toàn thực phẩm"),
    _P("1.001907", "GDYK", "2", 30, True, 0.0, 1.5,
       "Khám giám định lần đầu do tai nạn lao động",
       "Biên bản giám định y khoa"),
    _P("1.001908", "GDYK", "2", 30, True, 0.0, 0.6,
       "Khám giám định lần đầu do bệnh nghề nghiệp",
       "Biên bản giám định y khoa"),
    _P("1.001910", "GDYK", "2", 30, False, 0.0, 0.8,
       "Khám giám định mức độ khuyết tật khi Hội đồng xác định mức độ khuyết tật không đưa ra được kết luận",
       "Biên bản giám định y khoa"),
    _P("1.001912", "GDYK", "2", 30, True, 0.0, 1.2,
       "Khám giám định để thực hiện chế độ hưu trí đối với người lao động",
       "Biên bản giám định y khoa"),
    _P("1.001915", "GDYK", "2", 30, True, 0.0, 0.2,
       "Khám giám định phúc quyết",
       "Biên bản giám định y khoa"),
    _P("1.001917", "GDYK", "2", 30, True, 0.0, 0.5,
       "Khám giám định tổng hợp",
       "Biên bản giám định y khoa"),
    _P("1.003550", "YTDP", "4", 10, False, 1.0, 0.6,
       "Công bố cơ sở đủ điều kiện thực hiện tiêm chủng",
       "Văn bản công bố"),
    _P("1.003552", "YTDP", "3", 20, True, 1.0, 0.4,
       "Cấp giấy chứng nhận phòng xét nghiệm đạt tiêu chuẩn an toàn sinh học cấp I, cấp II",
       "Giấy chứng nhận an toàn sinh học"),
    _P("1.003555", "YTDP", "4", 10, False, 1.0, 0.3,
       "Công bố đủ điều kiện thực hiện hoạt động quan trắc môi trường lao động",
       "Văn bản công bố"),
    _P("1.003558", "YTDP", "3", 30, False, 1.0, 0.1,
       "Cấp giấy chứng nhận đủ điều kiện hoạt động điều trị nghiện chất dạng thuốc phiện",
       "Giấy chứng nhận đủ điều kiện"),
    _P("1.003560", "YTDP", "2", 10, False, 0.0, 0.1,
       "Cấp giấy chứng nhận bị phơi nhiễm với HIV do tai nạn rủi ro nghề nghiệp",
       "Giấy chứng nhận"),
    _P("1.005101", "TTBYT", "4", 3, False, 1.0, 2.0,
       "Công bố đủ điều kiện mua bán trang thiết bị y tế loại B, C, D",
       "Số công bố đủ điều kiện mua bán"),
    _P("1.005102", "TTBYT", "4", 3, True, 1.0, 1.5,
       "Công bố tiêu chuẩn áp dụng đối với trang thiết bị y tế loại A, B",
       "Số lưu hành trang thiết bị y tế"),
    _P("1.005105", "TTBYT", "4", 3, False, 1.0, 0.3,
       "Công bố đủ điều kiện sản xuất trang thiết bị y tế",
       "Số công bố đủ điều kiện sản xuất"),
    _P("1.006201", "MYPHAM", "4", 5, True, 1.0, 1.5,
       "Cấp số tiếp nhận Phiếu công bố sản phẩm mỹ phẩm sản xuất trong nước",
       "Số tiếp nhận phiếu công bố"),
    _P("1.006203", "MYPHAM", "3", 30, True, 1.0, 0.3,
       "Cấp Giấy chứng nhận đủ điều kiện sản xuất mỹ phẩm",
       "Giấy chứng nhận đủ điều kiện sản xuất mỹ phẩm"),
    _P("1.006205", "MYPHAM", "4", 5, False, 1.0, 0.4,
       "Điều chỉnh nội dung Phiếu công bố sản phẩm mỹ phẩm",
       "Số tiếp nhận phiếu công bố"),
    _P("1.007301", "YDCT", "3", 30, True, 0.0, 0.5,
       "Cấp giấy chứng nhận là lương y",
       "Giấy chứng nhận lương y"),
    _P("1.007303", "YDCT", "3", 30, True, 0.0, 0.2,
       "Cấp giấy chứng nhận người có bài thuốc gia truyền",
       "Giấy chứng nhận bài thuốc gia truyền"),
    _P("1.008401", "BUCXA", "3", 15, True, 1.0, 0.8,
       "Cấp giấy phép tiến hành công việc bức xạ - sử dụng thiết bị X-quang chẩn đoán trong y tế",
       "Giấy phép tiến hành công việc bức xạ"),
    _P("1.008402", "BUCXA", "3", 15, True, 0.0, 0.4,
       "Cấp chứng chỉ nhân viên bức xạ cho người phụ trách an toàn cơ sở X-quang chẩn đoán",
       "Chứng chỉ nhân viên bức xạ"),
    _P("1.009101", "DSSKSS", "2", 3, False, 0.0, 0.2,
       "Cấp Giấy chứng sinh cho trường hợp trẻ được sinh ra do thực hiện kỹ thuật mang thai hộ",
       "Giấy chứng sinh"),
    _P("1.009105", "DSSKSS", "2", 30, False, 1.0, 0.1,
       "Công nhận cơ sở đủ điều kiện thực hiện kỹ thuật hỗ trợ sinh sản",
       "Quyết định công nhận"),
)

RETIRED_PROCEDURES: tuple[Procedure, ...] = (
    _P("1.001121", "KCB", "3", 40, True, 0.0, 0.0,
       "Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh đối với người Việt Nam (thủ tục cũ)",
       "Chứng chỉ hành nghề"),
    _P("2.000024", "ATTP", "3", 15, True, 1.0, 0.0,
       "Cấp giấy chứng nhận đủ điều kiện an toàn thực phẩm (mẫu cũ)",
       "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm"),
)


@dataclass(frozen=True, slots=True)
class Unit:
    """One handling unit; `fields` are the procedure fields it receives cases for."""

    code: str
    name: str
    level: str
    successor: str
    ceased: bool
    fields: tuple[str, ...]
    province: str


_ALL = tuple(FIELDS)
_LOCAL = ("ATTP", "DSSKSS", "YDCT")
UNITS: tuple[Unit, ...] = (
    Unit("000.00.31.H19", "Sở Y tế tỉnh Đồng Nai", "SO", "", False, _ALL, "H19"),
    Unit("000.02.31.H19", "Phòng Nghiệp vụ Y - Sở Y tế tỉnh Đồng Nai", "SO", "", False,
         ("KCB", "YDCT", "BUCXA"), "H19"),
    Unit("000.03.31.H19", "Phòng Nghiệp vụ Dược - Sở Y tế tỉnh Đồng Nai", "SO", "", False,
         ("DUOC", "TTBYT", "MYPHAM"), "H19"),
    Unit("000.22.31.H19", "Chi cục An toàn vệ sinh thực phẩm tỉnh Đồng Nai", "SO", "", False, ("ATTP",),
         "H19"),
    Unit("000.23.31.H19", "Chi cục Dân số - Kế hoạch hóa gia đình tỉnh Đồng Nai", "SO", "", False,
         ("DSSKSS",), "H19"),
    Unit("000.24.31.H19", "Trung tâm Giám định y khoa tỉnh Đồng Nai", "SO", "", False, ("GDYK",), "H19"),
    Unit("000.25.31.H19", "Trung tâm Kiểm soát bệnh tật tỉnh Đồng Nai", "SO", "", False, ("YTDP",), "H19"),
    Unit("000.40.31.H19", "Phòng Y tế thành phố Biên Hòa", "HUYEN", "000.71.31.H19", True, _LOCAL, "H19"),
    Unit("000.41.31.H19", "Phòng Y tế thành phố Long Khánh", "HUYEN", "000.72.31.H19", True, _LOCAL, "H19"),
    Unit("000.42.31.H19", "Phòng Y tế huyện Trảng Bom", "HUYEN", "000.00.31.H19", True, _LOCAL, "H19"),
    Unit("000.43.31.H19", "Phòng Y tế huyện Long Thành", "HUYEN", "000.73.31.H19", True, _LOCAL, "H19"),
    Unit("000.44.31.H19", "Phòng Y tế huyện Nhơn Trạch", "HUYEN", "000.22.31.H19", True, _LOCAL, "H19"),
    Unit("000.45.31.H19", "Phòng Y tế huyện Định Quán", "HUYEN", "000.00.31.H19", True, _LOCAL, "H19"),
    Unit("000.00.31.H10", "Sở Y tế tỉnh Bình Phước", "SO", "000.00.31.H19", True, _ALL, "H10"),
    Unit("000.22.31.H10", "Chi cục An toàn vệ sinh thực phẩm tỉnh Bình Phước", "SO", "000.22.31.H19", True,
         ("ATTP",), "H10"),
    Unit("000.24.31.H10", "Trung tâm Giám định y khoa tỉnh Bình Phước", "SO", "000.24.31.H19", True,
         ("GDYK",), "H10"),
    Unit("000.40.31.H10", "Phòng Y tế thị xã Bình Long", "HUYEN", "000.00.31.H10", True, _LOCAL, "H10"),
    Unit("000.41.31.H10", "Phòng Y tế thành phố Đồng Xoài", "HUYEN", "000.75.31.H19", True, _LOCAL, "H10"),
    Unit("000.42.31.H10", "Phòng Y tế huyện Chơn Thành", "HUYEN", "000.22.31.H10", True, _LOCAL, "H10"),
    Unit("000.71.31.H19", "Ủy ban nhân dân phường Trấn Biên", "XA", "", False, ("ATTP",), "H19"),
    Unit("000.72.31.H19", "Ủy ban nhân dân phường Long Khánh", "XA", "", False, ("ATTP",), "H19"),
    Unit("000.73.31.H19", "Ủy ban nhân dân xã Long Thành", "XA", "", False, ("ATTP",), "H19"),
    Unit("000.74.31.H19", "Ủy ban nhân dân phường Bình Long", "XA", "", False, ("ATTP",), "H19"),
    Unit("000.75.31.H19", "Ủy ban nhân dân phường Đồng Xoài", "XA", "", False, ("ATTP",), "H19"),
)

UNIT_BY_CODE: dict[str, Unit] = {u.code: u for u in UNITS}
PROCEDURE_BY_CODE: dict[str, Procedure] = {p.code: p for p in PROCEDURES + RETIRED_PROCEDURES}
CATALOGUE_CODES: frozenset[str] = frozenset(p.code for p in PROCEDURES)
CEASED_AT = "20250701000000"


def current_unit(code: str) -> str:
    """The unit a code's cases belong to today: the successor chain followed to its end."""
    seen = {code}
    while (unit := UNIT_BY_CODE.get(code)) is not None and unit.successor and unit.successor not in seen:
        code = unit.successor
        seen.add(code)
    return code


def units_for(field: str, province: str | None, reorganised: bool) -> list[str]:
    """Units receiving cases of a field: Egov's (Dong Nai), or the new system's before/after 1/7/2025."""
    out = []
    for unit in UNITS:
        if field not in unit.fields or (province and unit.province != province):
            continue
        if reorganised and unit.ceased:
            continue
        if not reorganised and unit.level == "XA":
            continue
        out.append(unit.code)
    return out
