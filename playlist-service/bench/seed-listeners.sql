-- Bench data for personal playlists: N listeners x M feedback events (default 1,000 x 200), on a seeded
-- playlist-service database. Listener ids are md5('bench-listener-<n>')::uuid, n = 0..N-1, so the latency
-- client can send the same ids. Each event: a random emotion, a random track among the 400 nearest to that
-- emotion's target (tracks a listener is actually shown), liked with probability 0.4, else skipped.
-- Written straight into feedback, listener_feedback_tally and feedback_tally as the API would (in one
-- transaction). Deterministic (setseed). Run again only on a database without bench listeners.
--   psql -h 127.0.0.1 -U postgres -d <db> -v listeners=1000 -v events=200 -f playlist-service/bench/seed-listeners.sql
\set ON_ERROR_STOP on
\if :{?listeners} \else \set listeners 1000 \endif
\if :{?events} \else \set events 200 \endif
BEGIN;
SELECT setseed(0.42);

CREATE TEMP TABLE bench_pool ON COMMIT DROP AS
SELECT e.emotion, t.id AS track_id,
       row_number() OVER (PARTITION BY e.emotion ORDER BY t.distance, t.id) AS rank
FROM (VALUES ('angry', 0.20, 0.90), ('disgust', 0.15, 0.60), ('fear', 0.30, 0.75), ('happy', 0.85, 0.70),
             ('neutral', 0.50, 0.50), ('sad', 0.20, 0.25), ('surprise', 0.70, 0.85)) AS e(emotion, v, en)
CROSS JOIN LATERAL (
    SELECT id, point(valence, energy) <-> point(e.v, e.en) AS distance FROM track
    WHERE valence IS NOT NULL AND energy IS NOT NULL AND artist IS NOT NULL
    ORDER BY point(valence, energy) <-> point(e.v, e.en) LIMIT 400) AS t;

CREATE TEMP TABLE bench_events ON COMMIT DROP AS
SELECT md5('bench-listener-' || d.n)::uuid AS listener_id, p.emotion, p.track_id,
       CASE WHEN d.r3 < 0.4 THEN 'like' ELSE 'skip' END AS signal, d.at
FROM (SELECT n, (ARRAY['angry','disgust','fear','happy','neutral','sad','surprise'])[1 + floor(random() * 7)::int] AS emotion,
             1 + floor(random() * 400)::int AS rank, random() AS r3,
             now() - random() * interval '30 days' AS at
      FROM generate_series(0, :listeners - 1) AS n, generate_series(1, :events) AS i) AS d
JOIN bench_pool p ON p.emotion = d.emotion AND p.rank = d.rank;

INSERT INTO listener (id) SELECT DISTINCT listener_id FROM bench_events;
INSERT INTO feedback (track_id, emotion, signal, session_id, created_at, listener_id)
SELECT track_id, emotion, signal, 'bench', at, listener_id FROM bench_events;
INSERT INTO listener_feedback_tally (listener_id, emotion, track_id, likes, skips, updated_at)
SELECT listener_id, emotion, track_id, count(*) FILTER (WHERE signal = 'like'), count(*) FILTER (WHERE signal = 'skip'), max(at)
FROM bench_events GROUP BY listener_id, emotion, track_id;
INSERT INTO feedback_tally (emotion, track_id, likes, skips)
SELECT emotion, track_id, count(*) FILTER (WHERE signal = 'like'), count(*) FILTER (WHERE signal = 'skip')
FROM bench_events GROUP BY emotion, track_id
ON CONFLICT (emotion, track_id) DO UPDATE
   SET likes = feedback_tally.likes + EXCLUDED.likes, skips = feedback_tally.skips + EXCLUDED.skips;
COMMIT;
ANALYZE listener; ANALYZE feedback; ANALYZE listener_feedback_tally; ANALYZE feedback_tally;
SELECT (SELECT count(*) FROM listener) AS listeners, (SELECT count(*) FROM feedback WHERE listener_id IS NOT NULL) AS feedback_events,
       (SELECT count(*) FROM listener_feedback_tally) AS personal_tallies;
