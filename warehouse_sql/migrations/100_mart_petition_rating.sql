-- Published marts of the petitions (phản ánh, kiến nghị) and of the ratings of cases (contract: warehouse.md,
-- "Petitions and ratings"), and the targets of the two petition indicators. No sender data and no free text:
-- those stay in raw.newsys_petition and raw.newsys_rating.

CREATE TABLE mart.fact_petition (
    petition_key         text PRIMARY KEY,
    unit_code            text,
    original_unit_code   text,
    channel              smallint NOT NULL,
    transferred_in       boolean NOT NULL,
    classification       smallint,
    procedure_code       text,
    case_no              text,
    case_key             text,
    related_petition_no  text,
    status_code          smallint NOT NULL,
    sent_at              timestamptz NOT NULL,
    accepted_at          timestamptz,
    start_at             timestamptz NOT NULL,
    reject_due_at        timestamptz,
    supplement_due_at    timestamptz,
    handle_due_at        timestamptz,
    publish_due_at       timestamptz,
    ended_at             timestamptz,
    handled_at           timestamptz,
    published_at         timestamptz,
    has_answer           boolean NOT NULL,
    has_reject_reason    boolean NOT NULL,
    answer_rating        smallint,
    likes                integer NOT NULL,
    dislikes             integer NOT NULL
);
CREATE INDEX fact_petition_case_no_idx ON mart.fact_petition (case_no);
CREATE INDEX fact_petition_original_unit_idx ON mart.fact_petition (original_unit_code);
CREATE INDEX fact_petition_related_idx ON mart.fact_petition (related_petition_no)
    WHERE related_petition_no IS NOT NULL;
CREATE INDEX fact_petition_start_idx ON mart.fact_petition (start_at);
CREATE INDEX fact_petition_accepted_idx ON mart.fact_petition (accepted_at);

COMMENT ON TABLE mart.fact_petition IS
    'One row per valid, non-deleted petition (PAKN) of /api/v2/petitions. No sender name, ID number, phone, '
    'e-mail, title, text or answer text (free text may hold personal data).';
COMMENT ON COLUMN mart.fact_petition.petition_key IS 'MaPAKN.';
COMMENT ON COLUMN mart.fact_petition.unit_code IS 'Current unit of DonViXuLy: followed along its successors, as for cases.';
COMMENT ON COLUMN mart.fact_petition.original_unit_code IS 'DonViXuLy as recorded.';
COMMENT ON COLUMN mart.fact_petition.channel IS
    'KenhTiepNhan: 1 national portal, 2 the 1022 hotline, 3 provincial PAKN system, 4 desk or letter, 5 e-mail, '
    '9 other.';
COMMENT ON COLUMN mart.fact_petition.transferred_in IS 'NguonChuyen not empty: transferred in from another body.';
COMMENT ON COLUMN mart.fact_petition.classification IS
    'PhanLoai: 1 regulations, policies or procedures, 2 conduct of officials; null when not classified.';
COMMENT ON COLUMN mart.fact_petition.procedure_code IS 'MaTTHC; null when empty.';
COMMENT ON COLUMN mart.fact_petition.case_no IS 'MaHoSo of the case it is about (NFC, trimmed); null when empty.';
COMMENT ON COLUMN mart.fact_petition.case_key IS
    'case_no when it equals a case_key of mart.fact_case exactly, else null (no EGOV: prefix, no lookup by '
    'legacy number).';
COMMENT ON COLUMN mart.fact_petition.related_petition_no IS
    'MaPAKNLienQuan, the earlier petition whose answer this one complains about; null when empty.';
COMMENT ON COLUMN mart.fact_petition.status_code IS
    'TrangThaiPAKN 1..7 (3 supplement requested, 4 rejected, 5 moved out, 6 and 7 handled).';
COMMENT ON COLUMN mart.fact_petition.sent_at IS 'NgayGui.';
COMMENT ON COLUMN mart.fact_petition.accepted_at IS 'NgayTiepNhan; null when empty.';
COMMENT ON COLUMN mart.fact_petition.start_at IS 'NgayChuyenDen when set, else NgayGui.';
COMMENT ON COLUMN mart.fact_petition.reject_due_at IS 'HanTuChoi.';
COMMENT ON COLUMN mart.fact_petition.supplement_due_at IS 'HanYeuCauBoSung.';
COMMENT ON COLUMN mart.fact_petition.handle_due_at IS 'HanXuLy.';
COMMENT ON COLUMN mart.fact_petition.publish_due_at IS 'HanCongKhai; null until handled.';
COMMENT ON COLUMN mart.fact_petition.ended_at IS
    'Status 3: the earliest non-empty NgayYeuCauBoSung; 4: NgayTuChoi; 5: NgayChuyenDi; 6 and 7: NgayXuLyXong; '
    '1 and 2: null.';
COMMENT ON COLUMN mart.fact_petition.handled_at IS 'NgayXuLyXong, as given whatever the status.';
COMMENT ON COLUMN mart.fact_petition.published_at IS 'NgayCongKhai, as given whatever the status.';
COMMENT ON COLUMN mart.fact_petition.has_answer IS 'KetQuaXuLy or DuongDanTepKetQua not empty.';
COMMENT ON COLUMN mart.fact_petition.has_reject_reason IS 'LyDoTuChoi not empty.';
COMMENT ON COLUMN mart.fact_petition.answer_rating IS 'DanhGiaKetQua: 1 satisfied, 2 dissatisfied; null when none.';
COMMENT ON COLUMN mart.fact_petition.likes IS 'SoLuotThich.';
COMMENT ON COLUMN mart.fact_petition.dislikes IS 'SoLuotKhongThich.';

CREATE TABLE mart.fact_rating (
    rating_key    text PRIMARY KEY,
    case_no       text NOT NULL,
    case_key      text,
    channel       smallint NOT NULL,
    rated_at      timestamptz NOT NULL,
    level         smallint NOT NULL,
    by_applicant  boolean NOT NULL,
    in_force      boolean NOT NULL
);
CREATE INDEX fact_rating_case_no_idx ON mart.fact_rating (case_no);
CREATE INDEX fact_rating_in_force_idx ON mart.fact_rating (case_key, rated_at DESC, rating_key DESC)
    WHERE in_force;

COMMENT ON TABLE mart.fact_rating IS
    'One row per valid, non-deleted rating of a case from /api/v2/ratings, replaced ones included (in_force '
    'false). No comment text. A case''s rating in force is, among its rows with in_force, the one with the '
    'latest rated_at (ties: the greatest rating_key in byte order).';
COMMENT ON COLUMN mart.fact_rating.rating_key IS 'MaDanhGia.';
COMMENT ON COLUMN mart.fact_rating.case_no IS 'MaHoSo of the rated case (NFC, trimmed).';
COMMENT ON COLUMN mart.fact_rating.case_key IS
    'case_no when it equals a case_key of mart.fact_case exactly, else null (no EGOV: prefix, no lookup by '
    'legacy number).';
COMMENT ON COLUMN mart.fact_rating.channel IS
    'KenhDanhGia: 1 desk device, 2 paper form, 3 provincial portal, 4 national portal, 5 SMS, Zalo or phone.';
COMMENT ON COLUMN mart.fact_rating.rated_at IS 'ThoiDiemDanhGia.';
COMMENT ON COLUMN mart.fact_rating.level IS 'MucDoHaiLong: 1 very satisfied, 2 satisfied, 3 dissatisfied.';
COMMENT ON COLUMN mart.fact_rating.by_applicant IS 'DanhGiaBoiChuHoSo = 1: given by the identified applicant.';
COMMENT ON COLUMN mart.fact_rating.in_force IS 'HieuLuc = 1; false for a rating replaced by a later one.';

-- Readable by the reporting role like every mart table, written by the pipeline role (explicit, whoever runs
-- the migrations: the default privileges of 061 cover only the roles that ran it).
GRANT SELECT ON mart.fact_petition, mart.fact_rating TO egov_sync_reporting;
GRANT ALL ON mart.fact_petition, mart.fact_rating TO egov_sync_pipeline;

INSERT INTO mart.indicator_targets (indicator_code, target, source) VALUES
    ('petition_on_time_rate', 0.96, 'plan 2023'),
    ('petition_satisfaction_rate', 0.92, 'plan 2023');

COMMENT ON COLUMN mart.indicator_monthly.indicator_code IS
    'on_time_rate, online_rate, online_payment_rate, digitized_rate, e_result_rate, satisfaction_rate, '
    'apology_rate, national_sync_rate, official_vneid_rate, petition_on_time_rate or petition_satisfaction_rate.';
COMMENT ON COLUMN mart.indicator_monthly.numerator IS
    'Cases (officials, petitions) in the denominator that meet the indicator.';
COMMENT ON COLUMN mart.indicator_monthly.denominator IS
    'Cases (officials, petitions) the indicator is measured over; always above zero.';
