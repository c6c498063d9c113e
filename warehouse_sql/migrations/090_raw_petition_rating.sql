-- Raw landing of the new system's petitions (phản ánh, kiến nghị: /api/v2/petitions) and of the applicants'
-- ratings of their cases (/api/v2/ratings): one row per key, its latest valid version (tombstones included),
-- with the canonical columns of ingest/rows.py (PetitionRow, RatingRow) and the landing columns. Bad versions
-- sit in raw.quarantine (entities 'petition' and 'rating'). The senders and the free texts are personal data:
-- they stay here, in the restricted raw schema, and no mart carries them.

CREATE TABLE raw.newsys_petition (
    petition_key         text PRIMARY KEY,
    channel              smallint NOT NULL,
    transfer_source      text,
    transferred_in       boolean NOT NULL,
    sender_name          text,
    sender_id            text,
    sender_phone         text,
    sender_email         text,
    sender_type          text NOT NULL,
    is_anonymous         boolean NOT NULL,
    title                text,
    content              text,
    original_unit_code   text NOT NULL,
    procedure_code       text,
    case_no              text,
    classification       smallint,
    related_petition_no  text,
    status_code          smallint NOT NULL,
    sent_at              timestamptz NOT NULL,
    transferred_at       timestamptz,
    accepted_at          timestamptz,
    start_at             timestamptz NOT NULL,
    reject_due_at        timestamptz NOT NULL,
    supplement_due_at    timestamptz NOT NULL,
    handle_due_at        timestamptz NOT NULL,
    publish_due_at       timestamptz,
    rejected_at          timestamptz,
    reject_reason        text,
    has_reject_reason    boolean NOT NULL,
    first_request_at     timestamptz,
    moved_out_at         timestamptz,
    handled_at           timestamptz,
    published_at         timestamptz,
    ended_at             timestamptz,
    answer               text,
    answer_file          text,
    has_answer           boolean NOT NULL,
    answer_rating        smallint,
    likes                integer NOT NULL,
    dislikes             integer NOT NULL,
    synced_national      boolean NOT NULL,
    is_deleted           boolean NOT NULL,
    updated_at           timestamptz,
    payload              jsonb NOT NULL,
    fetched_at           timestamptz NOT NULL,
    run_id               text
);
CREATE INDEX newsys_petition_updated_at_idx ON raw.newsys_petition (updated_at);

COMMENT ON TABLE raw.newsys_petition IS
    'Petitions (PAKN) of /api/v2/petitions: the latest valid version of each MaPAKN, tombstones included '
    '(is_deleted). Holds the sender''s name, ID number, phone and e-mail and free texts: personal data, '
    'restricted to the pipeline role.';
COMMENT ON COLUMN raw.newsys_petition.petition_key IS 'MaPAKN.';
COMMENT ON COLUMN raw.newsys_petition.channel IS
    'KenhTiepNhan: 1 national portal, 2 the 1022 hotline, 3 provincial PAKN system, 4 desk or letter, 5 e-mail, '
    '9 other.';
COMMENT ON COLUMN raw.newsys_petition.transfer_source IS 'NguonChuyen (VPCP, BNDP, NOIBO); null when sent directly.';
COMMENT ON COLUMN raw.newsys_petition.transferred_in IS 'NguonChuyen not empty.';
COMMENT ON COLUMN raw.newsys_petition.sender_name IS
    'NguoiPhanAnh. Personal data. Null when empty or not a JSON string (then only in payload).';
COMMENT ON COLUMN raw.newsys_petition.sender_id IS 'SoGiayToNguoiPhanAnh, the sender''s ID number. Personal data.';
COMMENT ON COLUMN raw.newsys_petition.sender_phone IS 'SoDienThoai of the sender. Personal data.';
COMMENT ON COLUMN raw.newsys_petition.sender_email IS 'Email of the sender. Personal data.';
COMMENT ON COLUMN raw.newsys_petition.sender_type IS 'LoaiDoiTuong: 1 individual, 2 organisation or business, 3 other.';
COMMENT ON COLUMN raw.newsys_petition.is_anonymous IS 'AnDanh = 1: the sender asked to stay anonymous.';
COMMENT ON COLUMN raw.newsys_petition.title IS 'TieuDe. Free text that may hold personal data.';
COMMENT ON COLUMN raw.newsys_petition.content IS 'NoiDung. Free text that may hold personal data.';
COMMENT ON COLUMN raw.newsys_petition.original_unit_code IS 'DonViXuLy as recorded (its current unit is resolved downstream).';
COMMENT ON COLUMN raw.newsys_petition.procedure_code IS 'MaTTHC; null when empty.';
COMMENT ON COLUMN raw.newsys_petition.case_no IS 'MaHoSo of the case it is about; null when empty.';
COMMENT ON COLUMN raw.newsys_petition.classification IS
    'PhanLoai: 1 regulations, policies or procedures, 2 conduct of officials; null when not classified.';
COMMENT ON COLUMN raw.newsys_petition.related_petition_no IS
    'MaPAKNLienQuan, the earlier petition whose answer this one complains about; null when empty.';
COMMENT ON COLUMN raw.newsys_petition.status_code IS 'TrangThaiPAKN, 1..7.';
COMMENT ON COLUMN raw.newsys_petition.sent_at IS 'NgayGui.';
COMMENT ON COLUMN raw.newsys_petition.transferred_at IS 'NgayChuyenDen, the latest transfer to this unit.';
COMMENT ON COLUMN raw.newsys_petition.accepted_at IS 'NgayTiepNhan.';
COMMENT ON COLUMN raw.newsys_petition.start_at IS 'NgayChuyenDen when set, else NgayGui.';
COMMENT ON COLUMN raw.newsys_petition.reject_due_at IS 'HanTuChoi, as given.';
COMMENT ON COLUMN raw.newsys_petition.supplement_due_at IS 'HanYeuCauBoSung, as given.';
COMMENT ON COLUMN raw.newsys_petition.handle_due_at IS 'HanXuLy, as given.';
COMMENT ON COLUMN raw.newsys_petition.publish_due_at IS 'HanCongKhai, as given; null until handled.';
COMMENT ON COLUMN raw.newsys_petition.rejected_at IS 'NgayTuChoi.';
COMMENT ON COLUMN raw.newsys_petition.reject_reason IS 'LyDoTuChoi. Free text that may hold personal data.';
COMMENT ON COLUMN raw.newsys_petition.has_reject_reason IS 'LyDoTuChoi not empty.';
COMMENT ON COLUMN raw.newsys_petition.first_request_at IS
    'The earliest readable non-empty NgayYeuCauBoSung of DanhSachYeuCauBoSung.';
COMMENT ON COLUMN raw.newsys_petition.moved_out_at IS 'NgayChuyenDi.';
COMMENT ON COLUMN raw.newsys_petition.handled_at IS 'NgayXuLyXong, as given whatever the status.';
COMMENT ON COLUMN raw.newsys_petition.published_at IS 'NgayCongKhai, as given whatever the status.';
COMMENT ON COLUMN raw.newsys_petition.ended_at IS
    'Status 3: first_request_at; 4: NgayTuChoi; 5: NgayChuyenDi; 6 and 7: NgayXuLyXong; 1 and 2: null.';
COMMENT ON COLUMN raw.newsys_petition.answer IS 'KetQuaXuLy, the answer. Free text that may hold personal data.';
COMMENT ON COLUMN raw.newsys_petition.answer_file IS 'DuongDanTepKetQua, the answer''s file.';
COMMENT ON COLUMN raw.newsys_petition.has_answer IS 'KetQuaXuLy or DuongDanTepKetQua not empty.';
COMMENT ON COLUMN raw.newsys_petition.answer_rating IS 'DanhGiaKetQua: 1 satisfied, 2 dissatisfied; null when none.';
COMMENT ON COLUMN raw.newsys_petition.likes IS 'SoLuotThich (0 when absent or null).';
COMMENT ON COLUMN raw.newsys_petition.dislikes IS 'SoLuotKhongThich (0 when absent or null).';
COMMENT ON COLUMN raw.newsys_petition.synced_national IS 'DongBoDVCQG = 1.';
COMMENT ON COLUMN raw.newsys_petition.is_deleted IS 'DaXoa = 1: a tombstone.';
COMMENT ON COLUMN raw.newsys_petition.updated_at IS 'NgayCapNhat, the version; null when empty.';
COMMENT ON COLUMN raw.newsys_petition.payload IS 'The record as received (personal data included).';
COMMENT ON COLUMN raw.newsys_petition.fetched_at IS 'When the batch that wrote this version was landed.';
COMMENT ON COLUMN raw.newsys_petition.run_id IS 'The Dagster run that landed it.';

CREATE TABLE raw.newsys_rating (
    rating_key    text PRIMARY KEY,
    case_no       text NOT NULL,
    channel       smallint NOT NULL,
    rated_at      timestamptz NOT NULL,
    level         smallint NOT NULL,
    comment       text,
    by_applicant  boolean NOT NULL,
    in_force      boolean NOT NULL,
    is_deleted    boolean NOT NULL,
    updated_at    timestamptz,
    payload       jsonb NOT NULL,
    fetched_at    timestamptz NOT NULL,
    run_id        text
);
CREATE INDEX newsys_rating_updated_at_idx ON raw.newsys_rating (updated_at);
CREATE INDEX newsys_rating_case_no_idx ON raw.newsys_rating (case_no);

COMMENT ON TABLE raw.newsys_rating IS
    'Ratings of cases from /api/v2/ratings: the latest valid version of each MaDanhGia, tombstones included '
    '(is_deleted), replaced ratings included (in_force false). The comment is free text: restricted to the '
    'pipeline role.';
COMMENT ON COLUMN raw.newsys_rating.rating_key IS 'MaDanhGia.';
COMMENT ON COLUMN raw.newsys_rating.case_no IS 'MaHoSo of the rated case, as given (the case may be unknown).';
COMMENT ON COLUMN raw.newsys_rating.channel IS
    'KenhDanhGia: 1 desk device, 2 paper form, 3 provincial portal, 4 national portal, 5 SMS, Zalo or phone.';
COMMENT ON COLUMN raw.newsys_rating.rated_at IS 'ThoiDiemDanhGia.';
COMMENT ON COLUMN raw.newsys_rating.level IS 'MucDoHaiLong: 1 very satisfied, 2 satisfied, 3 dissatisfied.';
COMMENT ON COLUMN raw.newsys_rating.comment IS
    'GopY. Free text that may hold personal data. Null when empty or not a JSON string (then only in payload).';
COMMENT ON COLUMN raw.newsys_rating.by_applicant IS 'DanhGiaBoiChuHoSo = 1: given by the identified applicant.';
COMMENT ON COLUMN raw.newsys_rating.in_force IS 'HieuLuc = 1; 0 for a rating replaced by a later one.';
COMMENT ON COLUMN raw.newsys_rating.is_deleted IS 'DaXoa = 1: a tombstone.';
COMMENT ON COLUMN raw.newsys_rating.updated_at IS 'NgayCapNhat, the version; null when empty.';
COMMENT ON COLUMN raw.newsys_rating.payload IS 'The record as received (the comment included).';
COMMENT ON COLUMN raw.newsys_rating.fetched_at IS 'When the batch that wrote this version was landed.';
COMMENT ON COLUMN raw.newsys_rating.run_id IS 'The Dagster run that landed it.';
