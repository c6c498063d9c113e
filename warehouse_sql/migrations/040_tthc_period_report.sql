-- The periodic TTHC report filed under Circular 01/2020/TT-VPCP (contract: mart.tthc_period_report).
CREATE TABLE mart.tthc_period_report (
    period_kind         text NOT NULL,
    period_start        date NOT NULL,
    period_end          date NOT NULL,
    unit_code           text NOT NULL,
    field_code          text NOT NULL,
    received_total      bigint NOT NULL,
    carried_over        bigint NOT NULL,
    received_online     bigint NOT NULL,
    received_offline    bigint NOT NULL,
    resolved_total      bigint NOT NULL,
    resolved_early      bigint NOT NULL,
    resolved_on_time    bigint NOT NULL,
    resolved_late       bigint NOT NULL,
    pending_total       bigint NOT NULL,
    pending_within_due  bigint NOT NULL,
    pending_overdue     bigint NOT NULL,
    PRIMARY KEY (period_kind, period_start, unit_code, field_code),
    CHECK (period_kind IN ('quarter', 'half', 'year')),
    CHECK (period_end > period_start),
    CHECK (received_total > 0)
);

COMMENT ON TABLE mart.tthc_period_report IS
    'The periodic report on handling TTHC (Circular 01/2020/TT-VPCP, form "tình hình, kết quả giải quyết TTHC '
    'tại cơ quan, đơn vị trực tiếp giải quyết TTHC"): one row per quarter, half or year (Asia/Ho_Chi_Minh), '
    'current unit (plus ALL) and field (plus ALL) where received_total is above zero, from the first period with '
    'a received case to the period of as_of. A period''s cases are the received cases of mart.fact_case '
    '(status not 1 or 3) with received_at < P_end and (finished_at null or finished_at >= P_start).';
COMMENT ON COLUMN mart.tthc_period_report.period_kind IS 'quarter, half or year.';
COMMENT ON COLUMN mart.tthc_period_report.period_start IS 'First day of the period (local calendar).';
COMMENT ON COLUMN mart.tthc_period_report.period_end IS 'First day after the period (local calendar).';
COMMENT ON COLUMN mart.tthc_period_report.unit_code IS
    'Current unit (handling unit followed along MaDonViKeThua), or ALL for the whole Department.';
COMMENT ON COLUMN mart.tthc_period_report.field_code IS
    'MaLinhVuc of the case''s procedure in the catalogue, '''' when the procedure is not in it, or ALL.';
COMMENT ON COLUMN mart.tthc_period_report.received_total IS 'The period''s cases (số hồ sơ nhận giải quyết).';
COMMENT ON COLUMN mart.tthc_period_report.carried_over IS 'Of them, received before the period (từ kỳ trước).';
COMMENT ON COLUMN mart.tthc_period_report.received_online IS 'Received in the period online (channel 2).';
COMMENT ON COLUMN mart.tthc_period_report.received_offline IS
    'Received in the period in person or by post (channel not 2).';
COMMENT ON COLUMN mart.tthc_period_report.resolved_total IS 'Finished before the period''s end (đã giải quyết).';
COMMENT ON COLUMN mart.tthc_period_report.resolved_early IS
    'Resolved with finished_at <= due_at on a local date before that of due_at (trước hạn).';
COMMENT ON COLUMN mart.tthc_period_report.resolved_on_time IS
    'Resolved with finished_at <= due_at on the local date of due_at (đúng hạn).';
COMMENT ON COLUMN mart.tthc_period_report.resolved_late IS 'Resolved with finished_at > due_at (quá hạn).';
COMMENT ON COLUMN mart.tthc_period_report.pending_total IS
    'Not finished, or finished at or after the period''s end (đang giải quyết).';
COMMENT ON COLUMN mart.tthc_period_report.pending_within_due IS
    'Pending, and the earlier of the period''s end and as_of is <= due_at (trong hạn).';
COMMENT ON COLUMN mart.tthc_period_report.pending_overdue IS
    'Pending, and the earlier of the period''s end and as_of is > due_at (quá hạn).';
