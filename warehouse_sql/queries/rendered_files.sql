-- The report files' memo (migration 150): what each file set was last rendered from, and its bytes' digest.

-- name: rendered_file
SELECT fingerprint, files, content_digest FROM meta.rendered_file WHERE artifact = :artifact

-- name: save_rendered
INSERT INTO meta.rendered_file AS r (artifact, fingerprint, files, content_digest, rendered_at)
VALUES (:artifact, :fingerprint, :files, :content_digest, now())
ON CONFLICT (artifact) DO UPDATE SET
    fingerprint = EXCLUDED.fingerprint, files = EXCLUDED.files, content_digest = EXCLUDED.content_digest,
    rendered_at = EXCLUDED.rendered_at
