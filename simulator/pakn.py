"""Petitions (phản ánh, kiến nghị: PAKN) and case ratings as compact records, and their served payloads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulator.catalog import FIELDS
from simulator.holidays import add_working_days
from simulator.people import applicant, phone
from simulator.records import finish_payload
from simulator.simtime import HOUR, fmt_new

REJECT_DAYS, SUPPLEMENT_DAYS, HANDLE_DAYS, PUBLISH_DAYS = 2, 5, 15, 2
OFFICE_CLOSE = 17 * HOUR
PORTAL_CHANNEL = 1
ANSWER_URL = "https://dichvucong.dongnai.gov.vn/pakn/traloi/"
TOPICS: tuple[tuple[str, str], ...] = (
    ("Hồ sơ quá hạn chưa được giải quyết",
     "Tôi nộp hồ sơ {field} đã quá ngày hẹn trả nhưng chưa nhận được kết quả, đề nghị Sở kiểm tra."),
    ("Đề nghị hướng dẫn thành phần hồ sơ",
     "Thành phần hồ sơ thủ tục {field} trên Cổng dịch vụ công chưa rõ, đề nghị hướng dẫn cụ thể."),
    ("Phản ánh thái độ của công chức tiếp nhận",
     "Công chức tại bộ phận một cửa lĩnh vực {field} hướng dẫn không đầy đủ, yêu cầu bổ sung nhiều lần."),
    ("Kiến nghị giảm thời gian giải quyết",
     "Kiến nghị rút ngắn thời gian thẩm định hồ sơ {field}, hiện nay phải đi lại nhiều lần."),
    ("Không thanh toán trực tuyến được lệ phí",
     "Tôi không thanh toán được lệ phí hồ sơ {field} trên Cổng dịch vụ công, đề nghị hỗ trợ. "
     "Liên hệ {phone}."),
    ("Đề nghị cung cấp thông tin tiến độ hồ sơ",
     "Hồ sơ {field} của tôi không tra cứu được trạng thái trên Cổng dịch vụ công."),
)
ANSWERS = (
    "Sở Y tế đã kiểm tra, hồ sơ đã được giải quyết và trả kết quả; xin lỗi ông/bà vì sự chậm trễ.",
    "Sở Y tế đã hướng dẫn thành phần hồ sơ theo quy định hiện hành và cập nhật trên Cổng dịch vụ công.",
    "Sở Y tế đã chấn chỉnh công chức liên quan và tổ chức kiểm điểm theo quy định.",
    "Kiến nghị được ghi nhận và chuyển bộ phận chuyên môn nghiên cứu trong kỳ rà soát thủ tục hành chính.",
)
REJECT_REASONS = (
    "Nội dung phản ánh không thuộc phạm vi xử lý của Sở Y tế",
    "Phản ánh trùng nội dung đã được trả lời, không có tình tiết mới",
    "Phản ánh không rõ nội dung, không có thông tin liên hệ để xác minh",
)
OUTSIDE_BODIES = ("UBND tỉnh Đồng Nai", "Sở Tài chính tỉnh Đồng Nai", "Bảo hiểm xã hội tỉnh Đồng Nai",
                  "Bộ Y tế")
SUPPLEMENT_TEXT = "Đề nghị cung cấp số hồ sơ, ngày nộp và bản chụp giấy tiếp nhận"
COMMENTS = (
    "Cán bộ hướng dẫn nhiệt tình, chu đáo",
    "Thời gian chờ tiếp nhận còn lâu",
    "Giải quyết đúng hẹn, rất hài lòng",
    "Phải bổ sung hồ sơ nhiều lần, đề nghị hướng dẫn một lần đầy đủ",
    "Gọi lại cho tôi theo số {phone} để trao đổi thêm",
)


@dataclass(slots=True, eq=False)
class Petition:
    """One petition as plain values; text is derived from indexes, deadlines from the start and channel."""

    key: str
    channel: int
    unit: str
    field: str
    sender: int
    sent: int
    updated: int
    status: int = 1
    source: str = ""
    transferred: int | None = None
    org: bool = False
    kind: int = 1
    anonymous: bool = False
    proc: str = ""
    case_no: str = ""
    topic: int = 0
    classification: int = 0
    related: str = ""
    accepted: int | None = None
    rejected: int | None = None
    reason: int = -1
    requests: tuple[tuple[int, int | None], ...] = ()
    moved_out: int | None = None
    moved_to: str = ""
    handled: int | None = None
    published: int | None = None
    answer: int = -1
    answer_file: bool = False
    rating: int = 0
    likes: int = 0
    dislikes: int = 0
    extension: int = 0
    receiver: str = ""
    handler: str = ""
    synced: bool = True
    deleted: bool = False
    quirks: dict[str, str] | None = None
    raw: dict[str, Any] | None = None
    bad: bool = False

    @property
    def start(self) -> int:
        """When the petition started for its unit: the latest transfer to it, else when it was sent."""
        return self.transferred if self.transferred is not None else self.sent


@dataclass(slots=True, eq=False)
class Rating:
    """One rating of a case; `criteria` is how many criteria of the form were scored (0: none)."""

    key: str
    case_no: str
    channel: int
    rated: int
    level: int
    updated: int
    by_applicant: bool = True
    in_force: bool = True
    criteria: int = 0
    comment: int = -1
    deleted: bool = False
    raw: dict[str, Any] | None = None
    bad: bool = False


def deadline(p: Petition, start: int, days: int) -> int:
    """A deadline `days` working days after `start`: 17:00 of that day, 00:00 of it for the portal's."""
    day = add_working_days(start, days)
    return day if p.channel == PORTAL_CHANNEL else day + OFFICE_CLOSE


def reject_due(p: Petition) -> int:
    """HanTuChoi: reject or transfer within 2 working days of the start."""
    return deadline(p, p.start, REJECT_DAYS)


def supplement_due(p: Petition) -> int:
    """HanYeuCauBoSung: first ask for more information within 5 working days of the start."""
    return deadline(p, p.start, SUPPLEMENT_DAYS)


def handle_due(p: Petition) -> int:
    """HanXuLy: handle within 15 working days of the start (more when the unit extended it)."""
    return deadline(p, p.start, HANDLE_DAYS + p.extension)


def publish_due(p: Petition) -> int | None:
    """HanCongKhai: publish the answer within 2 working days of handling; None until handled."""
    if p.status not in (6, 7) or p.handled is None:
        return None
    return deadline(p, p.handled, PUBLISH_DAYS)


def petition_history(p: Petition) -> list[tuple[str, int, int, str]]:
    """The handling history derived from the state: (user, time, status, action)."""
    out = [(p.receiver, p.start, 1, "Tiếp nhận phản ánh, kiến nghị" if p.transferred is None
            else "Nhận phản ánh, kiến nghị được chuyển đến")]
    if p.accepted is not None:
        out.append((p.receiver, p.accepted, 2, "Chấp nhận xử lý, chuyển bộ phận chuyên môn"))
    for asked, answered in p.requests:
        out.append((p.handler, asked, 3, "Đề nghị người phản ánh cung cấp thêm thông tin"))
        if answered is not None:
            out.append((p.receiver, answered, 2, "Tiếp nhận thông tin bổ sung"))
    if p.rejected is not None:
        out.append((p.receiver, p.rejected, 4, "Từ chối tiếp nhận phản ánh, kiến nghị"))
    if p.moved_out is not None:
        out.append((p.receiver, p.moved_out, 5, f"Chuyển {p.moved_to}"))
    if p.handled is not None:
        out.append((p.handler, p.handled, 6, "Phê duyệt kết quả xử lý"))
    if p.published is not None:
        out.append((p.handler, p.published, 7, "Công khai kết quả xử lý"))
    out.sort(key=lambda step: step[1])
    return out


def last_change_of(p: Petition) -> int:
    """The latest time recorded anywhere in a petition."""
    times = [p.sent, p.start, p.accepted, p.rejected, p.moved_out, p.handled, p.published]
    times += [t for pair in p.requests for t in pair]
    return max(t for t in times if t is not None)


def portal_id(p: Petition) -> str:
    """The petition's id on the National Public Service Portal ('' when it never went through it)."""
    if p.channel != PORTAL_CHANNEL and p.source != "VPCP":
        return ""
    return f"PAKN.{fmt_new(p.sent)[:8]}.{sum(map(ord, p.key)) * 7919 % 1_000_000:06d}"


def _texts(p: Petition, number: str) -> tuple[str, str]:
    """The title and text of a petition (the text may quote the sender's phone number)."""
    title, text = TOPICS[p.topic % len(TOPICS)]
    name = FIELDS.get(p.field, "thủ tục hành chính").lower()
    return title, text.format(field=name, phone=number or "0900000000")


def petition_payload(p: Petition) -> dict[str, Any]:
    """The new-system API payload of a petition (PAKN)."""
    who = applicant(p.sender, p.org)
    title, text = _texts(p, who.phone)
    due_publish = publish_due(p)
    payload = {
        "MaPAKN": p.key, "MaPAKNDVCQG": portal_id(p), "KenhTiepNhan": str(p.channel), "NguonChuyen": p.source,
        "TieuDe": title, "NoiDung": text, "NguoiPhanAnh": who.name, "SoGiayToNguoiPhanAnh": who.id_number,
        "SoDienThoai": who.phone, "Email": who.email, "LoaiDoiTuong": str(p.kind),
        "AnDanh": "1" if p.anonymous else "0", "DonViXuLy": p.unit, "MaLinhVuc": p.field, "MaTTHC": p.proc,
        "MaHoSo": p.case_no, "PhanLoai": str(p.classification) if p.classification else "",
        "MaPAKNLienQuan": p.related, "NgayGui": fmt_new(p.sent), "NgayChuyenDen": fmt_new(p.transferred),
        "NgayTiepNhan": fmt_new(p.accepted), "HanTuChoi": fmt_new(reject_due(p)),
        "HanYeuCauBoSung": fmt_new(supplement_due(p)), "HanXuLy": fmt_new(handle_due(p)),
        "HanCongKhai": fmt_new(due_publish), "TrangThaiPAKN": str(p.status),
        "NgayTuChoi": fmt_new(p.rejected),
        "LyDoTuChoi": REJECT_REASONS[p.reason] if p.reason >= 0 else "",
        "DanhSachYeuCauBoSung": [
            {"NgayYeuCauBoSung": fmt_new(asked), "NgayTiepNhanBoSung": fmt_new(answered),
             "NoiDungBoSung": SUPPLEMENT_TEXT} for asked, answered in p.requests
        ],
        "NgayChuyenDi": fmt_new(p.moved_out), "DonViNhanChuyen": p.moved_to,
        "NgayXuLyXong": fmt_new(p.handled),
        "NgayCongKhai": fmt_new(p.published), "KetQuaXuLy": ANSWERS[p.answer] if p.answer >= 0 else "",
        "DuongDanTepKetQua": f"{ANSWER_URL}{p.key}.pdf" if p.answer_file else "",
        "DanhGiaKetQua": str(p.rating) if p.rating else "", "SoLuotThich": p.likes,
        "SoLuotKhongThich": p.dislikes,
        "QuaTrinhXuLy": [{"TenDangNhap": user, "ThoiDiemXuLy": fmt_new(t), "TrangThaiPAKN": str(status),
                          "NoiDungXuLy": action} for user, t, status, action in petition_history(p)],
        "DongBoDVCQG": "1" if p.synced else "0", "NgayCapNhat": fmt_new(p.updated),
        "DaXoa": "1" if p.deleted else "0",
    }
    return finish_payload(payload, p.quirks, p.raw)


def _criteria(r: Rating) -> list[dict[str, str]]:
    """Scores per criterion of the rating form, consistent with the overall level."""
    scores = {1: ("2", "2", "2"), 2: ("2", "1", "2"), 3: ("0", "1", "0")}.get(r.level, ("2", "1", "2"))
    return [{"MaChiSo": str(k), "Diem": scores[k % 3]} for k in range(1, r.criteria + 1)]


def rating_payload(r: Rating) -> dict[str, Any]:
    """The new-system API payload of a rating (DanhGia)."""
    comment = COMMENTS[r.comment].format(phone=phone(r.rated) or "0900000000") if r.comment >= 0 else ""
    payload = {
        "MaDanhGia": r.key, "MaHoSo": r.case_no, "KenhDanhGia": str(r.channel),
        "ThoiDiemDanhGia": fmt_new(r.rated),
        "MucDoHaiLong": str(r.level), "ChiSo": _criteria(r),
        "GopY": comment,
        "DanhGiaBoiChuHoSo": "1" if r.by_applicant else "0", "HieuLuc": "1" if r.in_force else "0",
        "NgayCapNhat": fmt_new(r.updated), "DaXoa": "1" if r.deleted else "0",
    }
    return finish_payload(payload, None, r.raw)
