-- Affectune catalogue: tracks with audio features, curated playlists per emotion, listener feedback.
-- Forward-only: never edit a released migration, add V2__... instead.

CREATE TABLE track (
    id           bigserial PRIMARY KEY,
    spotify_id   varchar(32) UNIQUE,
    title        text        NOT NULL,
    artist       text,
    album        text,
    valence      double precision CHECK (valence BETWEEN 0 AND 1),
    energy       double precision CHECK (energy BETWEEN 0 AND 1),
    danceability double precision,
    tempo        double precision,
    acousticness double precision,
    popularity   integer,
    genres       text[]      NOT NULL DEFAULT '{}',
    mood         text,
    source       varchar(32) NOT NULL,
    -- lower-cased, whitespace-collapsed "title<US>artist": how seed rows without ids find their track
    match_key    text        NOT NULL,
    search_text  text GENERATED ALWAYS AS (lower(title || ' ' || coalesce(artist, '') || ' ' || coalesce(album, ''))) STORED,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Nearest-neighbour search on the valence/energy plane (GiST KNN, ORDER BY point <-> point).
-- Only tracks a playlist may contain: features known and a named artist.
CREATE INDEX track_features_knn ON track USING gist (point(valence, energy))
    WHERE valence IS NOT NULL AND energy IS NOT NULL AND artist IS NOT NULL;
CREATE INDEX track_match_key ON track (match_key);
CREATE INDEX track_popularity ON track (popularity DESC NULLS LAST, id);

CREATE TABLE curated_playlist (
    id          bigserial PRIMARY KEY,
    emotion     varchar(16) NOT NULL
        CHECK (emotion IN ('angry', 'disgust', 'fear', 'happy', 'neutral', 'sad', 'surprise')),
    name        text        NOT NULL,
    description text,
    source      varchar(32) NOT NULL DEFAULT 'api',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX curated_playlist_emotion ON curated_playlist (emotion);

CREATE TABLE curated_playlist_track (
    playlist_id bigint  NOT NULL REFERENCES curated_playlist (id) ON DELETE CASCADE,
    position    integer NOT NULL,
    track_id    bigint  NOT NULL REFERENCES track (id),
    PRIMARY KEY (playlist_id, position),
    -- deferred: re-ordering a list shifts rows through transient duplicates inside one transaction
    CONSTRAINT curated_playlist_track_once UNIQUE (playlist_id, track_id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX curated_playlist_track_track ON curated_playlist_track (track_id);

CREATE TABLE feedback (
    id         bigserial PRIMARY KEY,
    track_id   bigint       NOT NULL REFERENCES track (id),
    emotion    varchar(16)  NOT NULL
        CHECK (emotion IN ('angry', 'disgust', 'fear', 'happy', 'neutral', 'sad', 'surprise')),
    signal     varchar(8)   NOT NULL CHECK (signal IN ('like', 'skip')),
    session_id varchar(128),
    created_at timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX feedback_emotion_track ON feedback (emotion, track_id);

-- Running totals of feedback per (emotion, track), kept in step with feedback rows so ranking reads one row per track.
CREATE TABLE feedback_tally (
    emotion  varchar(16) NOT NULL,
    track_id bigint      NOT NULL REFERENCES track (id),
    likes    integer     NOT NULL DEFAULT 0,
    skips    integer     NOT NULL DEFAULT 0,
    PRIMARY KEY (emotion, track_id)
);

-- One row per data seed applied (the catalogue seed runs once, under an advisory lock).
CREATE TABLE seed_run (
    name       text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now(),
    details    text
);
