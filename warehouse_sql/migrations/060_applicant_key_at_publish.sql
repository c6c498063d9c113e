-- The applicant key is computed when mart.fact_case is built, from the applicant ID number kept in staging,
-- with PII_HASH_KEY given as a parameter of that statement (never stored): rotating the key needs no
-- re-landing. HMAC-SHA-256 (RFC 2104) is written with the built-in sha256(), which every server has
-- (pgcrypto is not part of every installation). The keyed hashes landed so far are dropped: they were
-- made with whatever key was current then.

ALTER TABLE raw.newsys_case DROP COLUMN applicant_key;
ALTER TABLE raw.egov_case DROP COLUMN applicant_key;
ALTER TABLE staging."case" DROP COLUMN applicant_key;

-- The 64-byte HMAC block of a key, as hex: a longer key is hashed first, then zero-padded.
CREATE FUNCTION meta.hmac_sha256_block(key bytea) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN rpad(encode(CASE WHEN length(key) > 64 THEN sha256(key) ELSE key END, 'hex'), 128, '0');
COMMENT ON FUNCTION meta.hmac_sha256_block(bytea) IS
    'The HMAC-SHA-256 key block (64 bytes, hex): the key, hashed when longer than a block, zero-padded.';

-- A key block XOR a pad byte repeated, eight bytes at a time (as bigint words; to_hex of a negative word is
-- its two''s complement, so every word stays 16 hex digits).
CREATE FUNCTION meta.hmac_sha256_pad(block text, pad_word bigint) RETURNS bytea
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN decode(
        lpad(to_hex(('x' || substr(block, 1, 16))::bit(64)::bigint # pad_word), 16, '0')
        || lpad(to_hex(('x' || substr(block, 17, 16))::bit(64)::bigint # pad_word), 16, '0')
        || lpad(to_hex(('x' || substr(block, 33, 16))::bit(64)::bigint # pad_word), 16, '0')
        || lpad(to_hex(('x' || substr(block, 49, 16))::bit(64)::bigint # pad_word), 16, '0')
        || lpad(to_hex(('x' || substr(block, 65, 16))::bit(64)::bigint # pad_word), 16, '0')
        || lpad(to_hex(('x' || substr(block, 81, 16))::bit(64)::bigint # pad_word), 16, '0')
        || lpad(to_hex(('x' || substr(block, 97, 16))::bit(64)::bigint # pad_word), 16, '0')
        || lpad(to_hex(('x' || substr(block, 113, 16))::bit(64)::bigint # pad_word), 16, '0'),
        'hex');
COMMENT ON FUNCTION meta.hmac_sha256_pad(text, bigint) IS
    'A hex key block XOR a repeated pad byte (pad_word holds the byte eight times), as bytes.';

-- H((K xor opad) || H((K xor ipad) || m)), with ipad 0x36 and opad 0x5c repeated. With a constant key the
-- planner folds both pads once per statement; per row only the two hashes remain.
CREATE FUNCTION meta.hmac_sha256(key bytea, message bytea) RETURNS bytea
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN sha256(meta.hmac_sha256_pad(meta.hmac_sha256_block(key), x'5c5c5c5c5c5c5c5c'::bigint)
                  || sha256(meta.hmac_sha256_pad(meta.hmac_sha256_block(key), x'3636363636363636'::bigint)
                            || message));
COMMENT ON FUNCTION meta.hmac_sha256(bytea, bytea) IS 'HMAC-SHA-256 (RFC 2104) of message under key.';

-- The contract's applicant_key: lowercase hex HMAC-SHA-256 over the (already trimmed) ID number in UTF-8;
-- null when there is none. STABLE because converting to UTF-8 is.
CREATE FUNCTION meta.applicant_key(applicant_id text, key bytea) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN CASE WHEN applicant_id <> ''
                THEN encode(meta.hmac_sha256(key, convert_to(applicant_id, 'UTF8')), 'hex') END;
COMMENT ON FUNCTION meta.applicant_key(text, bytea) IS
    'Lowercase hex HMAC-SHA-256 of an applicant ID number (UTF-8) under the pseudonymisation key; null without one.';
